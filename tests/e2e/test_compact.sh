#!/usr/bin/env bash
# tm compact (issue 16 §4): retention applied from a config, killed with -9 mid-run and run again
# it ends where an uninterrupted run ends and loses no point that was not rolled up; history says
# which rows are rollups; bad config refused in one line; the candle repair.
. "$(dirname "$0")/lib.sh"

start_fixture_server
export TM_COINGECKO_URL="$FIXTURE_URL/coingecko" TM_NOW=2024-05-01T12:00:00Z

# 40 series over four months (January to April 2024): 20 prices every 5 minutes (candles) and
# 20 TVLs every 30 minutes, about 810,000 points; the copy `written` keeps what was written.
fill() {
  sql "INSERT INTO series (source, kind, asset, metric)
         SELECT 'coingecko', 'coin', 'coin-' || i, 'PRICE' FROM generate_series(1, 20) i
         UNION ALL SELECT 'defillama', 'protocol', 'proto-' || i, 'TVL' FROM generate_series(1, 20) i;
       SELECT tm_points_partitions(ARRAY['2024-01-01', '2024-02-01', '2024-03-01', '2024-04-01']::timestamptz[]);
       INSERT INTO points (series_id, ts, value)
         SELECT s.series_id, t, s.series_id * 10 + sin(extract(epoch FROM t) / 3600)
           FROM series s CROSS JOIN LATERAL generate_series('2024-01-01'::timestamptz, '2024-04-30 23:59',
                CASE s.metric WHEN 'PRICE' THEN interval '5 minutes' ELSE interval '30 minutes' END) t;
       SELECT tm_rollups_refresh(array_agg(series_id), array_agg('-infinity'::timestamptz),
                                 array_agg('infinity'::timestamptz)) FROM series WHERE candles;
       CREATE TABLE written AS SELECT * FROM points;" >/dev/null
}

retention() {
  cat >"$E2E_TMP/retention.toml" <<'EOF'
[[retention]]
source = "coingecko"
raw_days = 30

[[retention]]
source = "defillama"
metric = "TVL"
raw_days = 60
EOF
}

# What the store holds, rollups and horizons included.
state() {
  sql "SELECT (SELECT count(*) || ' ' || md5(string_agg(concat_ws('|', series_id, ts, value), ',' ORDER BY series_id, ts)) FROM points)
           || ' ' || (SELECT md5(string_agg(concat_ws('|', series_id, width, ts, first, last, min, max, sum, count), ',' ORDER BY series_id, width, ts)) FROM rollups)
           || ' ' || (SELECT string_agg(concat_ws('=', series_id, raw_since), ',' ORDER BY series_id) FROM series)
           || ' ' || (SELECT string_agg(part::text, ',') FROM tm_points_months())"
}

# Per series and day, what was written against what is kept (rollups before the horizon, raw
# points after it): equal when no point that was not rolled up is lost.
check_nothing_lost() {
  local days="concat_ws('|', series_id, day, n, sum, min, max, first, last)"
  expect_eq "$(sql "SELECT md5(string_agg($days, ',' ORDER BY series_id, day)) FROM (
      SELECT r.series_id, r.ts AS day, r.count AS n, r.sum, r.min, r.max, r.first, r.last
        FROM rollups r JOIN series s USING (series_id) WHERE r.width = 'day' AND r.ts < s.raw_since
      UNION ALL
      SELECT p.series_id, date_trunc('day', p.ts, 'UTC'), count(*), sum(p.value::numeric), min(p.value), max(p.value),
             (array_agg(p.value ORDER BY p.ts))[1], (array_agg(p.value ORDER BY p.ts DESC))[1]
        FROM points p JOIN series s USING (series_id) WHERE p.ts >= coalesce(s.raw_since, '-infinity') GROUP BY 1, 2) d")" \
    "$(sql "SELECT md5(string_agg($days, ',' ORDER BY series_id, day)) FROM (
      SELECT series_id, date_trunc('day', ts, 'UTC') AS day, count(*) AS n, sum(value::numeric) AS sum, min(value) AS min,
             max(value) AS max, (array_agg(value ORDER BY ts))[1] AS first, (array_agg(value ORDER BY ts DESC))[1] AS last
        FROM written GROUP BY 1, 2) d")" "written = rollups before the horizons + raw points after them"
}

case_kill_9_mid_run_then_again_equals_an_uninterrupted_run() {
  retention
  new_database
  fill
  run tm compact --config "$E2E_TMP/retention.toml"
  expect_code 0
  expect_contains "$OUT" "rolled up: 40 series up to their horizons (2024-02-01 to 2024-04-01)"
  expect_contains "$OUT" "months freed: points_2024_01 dropped, points_2024_02 dropped, points_2024_03 rewritten"
  local uninterrupted
  uninterrupted=$(state)
  check_nothing_lost
  run tm compact --config "$E2E_TMP/retention.toml"
  expect_code 0
  expect_contains "$OUT" "rolled up: nothing new"
  expect_contains "$OUT" "months freed: none"
  expect_eq "$(state)" "$uninterrupted" "the store after a second run"

  new_database
  fill
  local db=${TM_DATABASE_URL#dbname=} pid killed=0 attempt
  # Killed at a different point each attempt (while it rolls up, while it frees months), until
  # one kill lands mid-run: the process is still there and has committed part of its work.
  for attempt in 1 2 3 4 5 6; do
    "$TM_BIN/tm" compact -q --config "$E2E_TMP/retention.toml" >/dev/null 2>&1 &
    pid=$!
    for _ in $(seq 400); do
      [ "$(sql "SELECT count(*) FROM pg_stat_activity WHERE datname = '$db' AND (query LIKE '%tm_retention_seal%' OR query LIKE '%tm_points_reclaim%') AND state = 'active' AND pid <> pg_backend_pid()")" = 0 ] || break
      sleep 0.01
    done
    sleep "0.$((attempt * 15))"
    if kill -9 "$pid" 2>/dev/null; then
      wait "$pid" 2>/dev/null || true
      killed=$((killed + 1))
      # The killed run's server session ends with it (its transaction rolled back).
      for _ in $(seq 200); do
        [ "$(sql "SELECT count(*) FROM pg_stat_activity WHERE datname = '$db' AND backend_type = 'client backend' AND pid <> pg_backend_pid()")" = 0 ] && break
        sleep 0.05
      done
      check_nothing_lost
    fi
    [ "$(state)" = "$uninterrupted" ] && break
  done
  [ "$killed" -gt 0 ] || fail "no run was killed mid-way"
  echo "    $killed run(s) killed mid-way, $(sql "SELECT count(*) FROM series WHERE raw_since IS NOT NULL") of 40 horizons moved before the last run" >&2
  run tm compact --config "$E2E_TMP/retention.toml"
  expect_code 0
  expect_eq "$(state)" "$uninterrupted" "the store after kill -9 and a rerun"
  check_nothing_lost
}

case_history_says_which_rows_are_rollups() {
  retention
  new_database
  fill
  run tm compact --config "$E2E_TMP/retention.toml"
  expect_code 0
  # Raw history starts at the horizon; --interval day reads the rollups before it, flagged.
  run tm query history --source coingecko --asset coin-1 --csv
  expect_eq "$(printf '%s\n' "$OUT" | sed -n 2p | cut -d, -f5)" "2024-04-01T00:00:00Z" "first raw point"
  run tm query history --source coingecko --asset coin-1 --interval day --agg max --since 2024-03-30 --until 2024-04-02 --csv
  expect_eq "$(printf '%s\n' "$OUT" | cut -d, -f5,7,8)" "$(printf 'ts,points,rollup\n%s\n%s\n%s' \
    2024-03-30T00:00:00Z,288,t 2024-03-31T00:00:00Z,288,t 2024-04-01T00:00:00Z,288,f)" "days across the horizon"
  expect_eq "$(printf '%s\n' "$OUT" | sed -n 2p | cut -d, -f6)" \
    "$(sql "SELECT max(value) FROM written WHERE series_id = 1 AND ts >= '2024-03-30' AND ts < '2024-03-31'")" "a rolled-up day's maximum"
  # The candles keep the whole history.
  expect_sql "SELECT count(*) FROM daily_ohlcv WHERE asset = 'coin-1'" "121"
}

case_bad_config_is_refused_in_one_line() {
  new_database
  sql "INSERT INTO series (source, kind, asset, metric) VALUES ('coingecko', 'coin', 'bitcoin', 'PRICE')" >/dev/null
  printf '[[retention]]\nsource = "coingeko"\nraw_days = 30\n' >"$E2E_TMP/bad.toml"
  run tm compact --config "$E2E_TMP/bad.toml"
  expect_code 2
  expect_one_line "$ERR"
  expect_contains "$ERR" "bad.toml:1: unknown source 'coingeko'"
  printf '[[retention]]\nmetric = "PRCE"\nraw_days = 30\n' >"$E2E_TMP/bad.toml"
  run tm compact --config "$E2E_TMP/bad.toml"
  expect_code 2
  expect_one_line "$ERR"
  expect_contains "$ERR" "bad.toml:1: unknown metric 'PRCE': no series stores it (did you mean 'PRICE'?)"
  printf '[[retention]]\nsource = "coingecko"\nraw_days = 0\n' >"$E2E_TMP/bad.toml"
  run tm compact --config "$E2E_TMP/bad.toml"
  expect_code 2
  expect_one_line "$ERR"
  expect_contains "$ERR" "bad.toml:3: 'raw_days' must be a whole number of days (1 or more) or \"forever\""
  run tm compact --config "$E2E_TMP/none.toml"
  expect_code 2
  expect_one_line "$ERR"
  run tm compact --source coingecko
  expect_code 2
  expect_contains "$ERR" "--source goes with --rebuild-candles"
  expect_sql "SELECT count(*) FROM series WHERE raw_since IS NOT NULL" "0"
  # One tm compact at a time: a second waits for nothing and exits 5.
  psql -qX -d "${TM_DATABASE_URL#dbname=}" -c "SELECT pg_advisory_lock(hashtextextended('tm:compact', 0)); SELECT pg_sleep(5)" >/dev/null &
  local holder=$!
  for _ in $(seq 100); do
    [ "$(sql "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted")" = 0 ] || break
    sleep 0.05
  done
  run tm compact
  expect_code 5
  expect_one_line "$ERR"
  kill "$holder" 2>/dev/null || true
  wait "$holder" 2>/dev/null || true
}

case_the_shipped_policy_and_the_repair() {
  new_database
  # The shipped retention.toml is built in and names only real sources.
  run tm compact
  expect_code 0
  expect_contains "$OUT" "rolled up: nothing new"
  TM_NOW=2024-03-13T05:17:00Z tm pull coingecko -q --rate-limit 100000 || fail "pull failed"
  [ "$(sql "SELECT count(*) FROM rollups")" -gt 0 ] || fail "the pull wrote no candles"
  local candles
  candles=$(sql "SELECT md5(string_agg(concat_ws('|', series_id, width, ts, first, last, min, max, sum, count), ',' ORDER BY series_id, width, ts)) FROM rollups")
  sql "DELETE FROM rollups" >/dev/null
  run tm compact --rebuild-candles
  expect_code 0
  expect_contains "$OUT" "candles rebuilt:"
  expect_eq "$(sql "SELECT md5(string_agg(concat_ws('|', series_id, width, ts, first, last, min, max, sum, count), ',' ORDER BY series_id, width, ts)) FROM rollups")" \
    "$candles" "candles after the repair"
}

run_cases
