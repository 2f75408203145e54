#!/usr/bin/env bash
# tm status: monitoring-plugin exit codes for fresh, stale and failing feeds, JSON, and UNKNOWN.
. "$(dirname "$0")/lib.sh"
start_fixture_server

status() { TM_NOW=$1 tm status "${@:2}"; }

case_fresh_then_stale_after_a_real_pull() {
  new_database
  TM_NOW=2024-03-13T05:17:00Z tm pull defillama -q --rate-limit 100000 || fail "pull failed"
  run status 2024-03-13T06:00:00Z
  expect_code 0
  expect_contains "$OUT" "TM OK - 1 sources ok | sources=1 ok=1 warning=0 critical=0 database_bytes="
  # The journal keeps wall-clock times; the points are stamped with TM_NOW's hour. Of its 95
  # points, the 66 daily ones are stamped 2024-03-12T00:00Z, more than 24 hours before 06:00.
  expect_eq "$(sql "SELECT count(*) FILTER (WHERE ts > '2024-03-12T06:00Z') || '/' || count(*) FROM points")" "29/95" "points in the last day / all"
  expect_contains "$(printf '%s\n' "$OUT" | grep '^defillama')" "ok      2024-03-13T05:00:00Z  1h   3h       95      29          0"
  # DefiLlama is pulled hourly: three hours and a minute after its newest point it is stale.
  run status 2024-03-13T08:01:00Z
  expect_code 2
  expect_contains "$OUT" "TM CRITICAL - defillama: newest point 3h1m old (max 3h)"
  run status 2024-03-13T08:01:00Z --max-age defillama=6h
  expect_code 0
}

case_failing_pulls_warn_then_go_critical() {
  new_database
  sql "INSERT INTO series (source, kind, asset, metric) VALUES ('hyperliquid', 'perp', 'BTC', 'FUNDING_RATE');
       INSERT INTO points SELECT series_id, ts, 0.0001 FROM series,
         unnest('{2024-03-13T05:00Z,2024-03-12T05:30:01Z,2024-03-12T05:30Z,2023-01-01T00:00Z}'::timestamptz[]) ts;
       INSERT INTO pulls (source, kind, status, started_at) VALUES
         ('hyperliquid', 'pull', 'ok', '2024-03-13T03:00Z'), ('hyperliquid', 'pull', 'partial', '2024-03-13T04:00Z')" >/dev/null
  run status 2024-03-13T05:30:00Z
  expect_code 1
  expect_contains "$OUT" "TM WARNING - hyperliquid: last pull partial"
  sql "INSERT INTO pulls (source, kind, status, started_at) VALUES ('hyperliquid', 'pull', 'failed', '2024-03-13T05:00Z')" >/dev/null
  run status 2024-03-13T05:30:00Z
  expect_code 1
  expect_contains "$OUT" "hyperliquid: last pull failed"
  sql "INSERT INTO pulls (source, kind, status, started_at) VALUES
         ('hyperliquid', 'pull', 'failed', '2024-03-13T05:10Z'), ('hyperliquid', 'pull', 'failed', '2024-03-13T05:20Z'),
         ('hyperliquid', 'pull', 'running', '2024-03-13T05:25Z')" >/dev/null
  run status 2024-03-13T05:30:00Z --json
  expect_code 2
  printf '%s' "$OUT" | python3 -c "
import json, sys
d = json.load(sys.stdin)
assert d['status'] == 'CRITICAL' and d['code'] == 2, d
s = d['sources'][0]
assert s['source'] == 'hyperliquid' and s['failures_in_a_row'] == 3 and s['reason'] == 'last 3 pulls failed', s
# Points of the 24 hours up to now (05:30): not the one at exactly 24 h, nor older ones.
assert s['series'] == 1 and s['points_24h'] == 2 and s['age_seconds'] == 1800 and s['max_age_seconds'] == 10800, s
# The total is PostgreSQL's row estimate, unknown until ANALYZE or autovacuum has seen the table.
assert d['database']['reachable'] and d['database']['size_bytes'] > 0 and d['database']['points_estimate'] is None, d
" || fail "status JSON: $OUT"
  run status 2024-03-13T05:30:00Z
  expect_not_contains "$OUT" "about"
  sql "ANALYZE points" >/dev/null
  run status 2024-03-13T05:30:00Z --json
  printf '%s' "$OUT" | python3 -c "import json,sys; d=json.load(sys.stdin); assert d['database']['points_estimate'] == 4, d" \
    || fail "estimate after ANALYZE: $OUT"
  run status 2024-03-13T05:30:00Z
  expect_contains "$OUT" "MB, about 4 points"
}

case_unknown_when_it_cannot_tell() {
  new_database
  run status 2024-03-13T05:30:00Z
  expect_code 3
  expect_contains "$OUT" "TM UNKNOWN - nothing pulled yet"
  run status 2024-03-13T05:30:00Z --max-age defillama
  expect_code 3
  expect_contains "$OUT" "expected SOURCE=DURATION"
  run status 2024-03-13T05:30:00Z --no-such-flag
  expect_code 3
  TM_DATABASE_URL_READER="dbname=tm_no_such_db_$$" run status 2024-03-13T05:30:00Z --json
  expect_code 3
  printf '%s' "$OUT" | python3 -c "import json,sys; d=json.load(sys.stdin); assert d['status']=='UNKNOWN', d" \
    || fail "UNKNOWN JSON: $OUT"
}

run_cases
