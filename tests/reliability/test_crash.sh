#!/usr/bin/env bash
# Crash safety: a backfill killed with SIGKILL at five different moments of its run — while
# requests are in flight, while COPY streams points in, around commits — and run again ends with
# exactly the points of an uninterrupted run (checksum), no duplicates, nothing missing.
. "$(dirname "$0")/../e2e/lib.sh"
start_fixture_server
export TM_NOW=2024-03-13T05:00:00Z
DATA="$E2E_TMP/history"
# 150 protocols x 1,500 days: a backfill of 225,000 points that takes a few seconds here.
python3 "$TM_SOURCE_DIR/bench/make_defillama_history.py" --dir "$DATA" --protocols 150 --days 1500 --huge-points 10 >/dev/null
python3 "$TM_SOURCE_DIR/tests/support/fixture_server.py" --root "$DATA" --port-file "$E2E_TMP/port2" >/dev/null 2>&1 &
HISTORY_SERVER=$!
extra_cleanup() { kill "$HISTORY_SERVER" 2>/dev/null; }
for _ in $(seq 100); do [ -s "$E2E_TMP/port2" ] && break; sleep 0.05; done
HISTORY_URL="http://127.0.0.1:$(cat "$E2E_TMP/port2")/defillama"
BACKFILL=(env TM_DEFILLAMA_URL="$HISTORY_URL" "$TM_BIN/tm" backfill defillama -q --config "$DATA/config.csv" --metrics TVL --rate-limit 1000000 --concurrency 4)

checksum() {
  sql "SELECT count(*) || ' ' || md5(string_agg(s.asset || s.metric || p.ts || ':' || p.value, ',' ORDER BY s.asset, s.metric, p.ts))
       FROM points p JOIN series s USING (series_id)"
}

case_kill_at_five_moments_then_resume() {
  new_database
  local start end
  start=$(date +%s.%N)
  "${BACKFILL[@]}" || fail "uninterrupted backfill"
  end=$(date +%s.%N)
  local reference total
  reference=$(checksum)
  total=$(echo "$end - $start" | bc)
  [ "${reference%% *}" = 225000 ] || fail "reference run stored ${reference%% *} points, not 225000"
  # Kill at 10%, 25%, 45%, 65% and 85% of an uninterrupted run's duration.
  local killed_mid_run=0
  for fraction in 0.10 0.25 0.45 0.65 0.85; do
    new_database
    "${BACKFILL[@]}" >/dev/null 2>&1 &
    local pid=$!
    sleep "$(echo "$total * $fraction" | bc -l)"
    if kill -9 "$pid" 2>/dev/null; then
      killed_mid_run=$((killed_mid_run + 1))
    fi
    wait "$pid" 2>/dev/null
    local stored
    stored=$(sql "SELECT count(*) FROM points")
    # What a kill leaves is whole chunks: every series with points has its progress row.
    expect_sql "SELECT count(*) FROM series s WHERE EXISTS (SELECT 1 FROM points p WHERE p.series_id = s.series_id)
                  AND NOT EXISTS (SELECT 1 FROM backfill_progress b WHERE b.asset = s.asset AND b.metric = s.metric)" "0"
    run "${BACKFILL[@]}"
    expect_code 0
    expect_eq "$(checksum)" "$reference" "points after a kill at $fraction of the run ($stored stored when killed)"
    expect_sql "SELECT count(*) FROM pulls WHERE status = 'running'" "0"
  done
  [ "$killed_mid_run" -ge 3 ] || fail "only $killed_mid_run of 5 kills landed while the backfill ran"
}

case_two_pulls_of_one_source_exclude_each_other_two_sources_do_not() {
  new_database
  fault '{"path": "/defillama/protocols", "times": 1, "delay": 2}'
  "$TM_BIN/tm" pull defillama -q --rate-limit 100000 >/dev/null 2>&1 &
  local first=$!
  for _ in $(seq 100); do [ "$(sql "SELECT count(*) FROM pulls WHERE status = 'running'")" = 1 ] && break; sleep 0.05; done
  run "$TM_BIN/tm" pull defillama -q --rate-limit 100000
  expect_code 5
  expect_contains "$ERR" "already being pulled"
  # Another source is not held up by it.
  TM_HYPERLIQUID_URL="$FIXTURE_URL/hyperliquid" run "$TM_BIN/tm" pull hyperliquid -q --rate-limit 100000
  expect_code 0
  wait "$first"
  expect_eq "$?" 0 "the first pull"
  expect_sql "SELECT string_agg(source || ':' || status, ' ' ORDER BY pull_id) FROM pulls" "defillama:ok hyperliquid:ok"
}

case_a_pull_runs_beside_a_backfill_two_backfills_do_not() {
  new_database
  # The backfill's first protocol answers after 3 s: it is surely running meanwhile.
  curl -sf -X POST --data-binary '[{"path": "/defillama/protocol/*", "times": 1, "delay": 3}]' \
    "http://127.0.0.1:$(cat "$E2E_TMP/port2")/_control/faults" >/dev/null
  "${BACKFILL[@]}" >"$E2E_TMP/backfill.out" 2>&1 &
  local backfill=$!
  for _ in $(seq 100); do [ "$(sql "SELECT count(*) FROM pulls WHERE status = 'running'")" = 1 ] && break; sleep 0.05; done
  # A live pull of the same source is not locked out: its snapshot is not lost.
  run "$TM_BIN/tm" pull defillama -q --rate-limit 100000
  expect_code 0
  expect_eq "$(sql "SELECT kind || ':' || status FROM pulls WHERE kind = 'backfill'")" "backfill:running" "the backfill while the pull ran"
  # A second backfill is.
  run "${BACKFILL[@]}"
  expect_code 5
  expect_contains "$ERR" "defillama is already being backfilled by backfill"
  expect_one_line "$ERR"
  wait "$backfill"
  expect_eq "$?" 0 "the backfill"
  expect_sql "SELECT string_agg(kind || ':' || status, ' ' ORDER BY pull_id) FROM pulls" "backfill:ok pull:ok"
  expect_sql "SELECT count(DISTINCT p.pull_id) FROM points p" "2"
}

run_cases
