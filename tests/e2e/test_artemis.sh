#!/usr/bin/env bash
# tm pull|backfill artemis against the generated Artemis API (tests/support/artemis_api.py):
# the matrix config, request batching, every documented quirk, resume after kill -9, the key.
. "$(dirname "$0")/lib.sh"
start_fixture_server
export TM_ARTEMIS_URL="$FIXTURE_URL/artemis" TM_NOW=2024-03-12T05:17:00Z
KEY="artemis-$$-secret"
CONFIG="$TM_SOURCE_DIR/tests/fixtures/config/artemis.csv"
FAST=(--rate-limit 100000 --retry-delay 10ms)
artemis() { ARTEMIS_API_KEY="$KEY" tm "$@"; }
queries() { request_log | python3 -c "import json,sys; [print(r['path'], r['query'].split('&APIKey=')[0]) for r in json.load(sys.stdin) if r['path'].startswith('/artemis/')]"; }

case_no_key_is_a_usage_error_before_any_request() {
  new_database
  run tm pull artemis --config "$CONFIG"
  expect_code 2
  expect_contains "$ERR" "ARTEMIS_API_KEY is not set"
  expect_one_line "$ERR"
  expect_eq "$(queries | wc -l)" "0" "requests"
  expect_sql "SELECT count(*) FROM pulls" "0"
}

case_pull_twice_today_and_yesterday() {
  new_database
  run artemis pull artemis --config "$CONFIG" "${FAST[@]}"
  expect_code 0
  # 2024-03-11 and -12 at 00:00 UTC; sol PRICE FEES DAU, eth PRICE FEES, lower PRICE, eq-nvda PRICE
  expect_sql "SELECT count(*) || ' ' || string_agg(DISTINCT ts::text, ',') FROM points" \
    "14 2024-03-11 00:00:00+00,2024-03-12 00:00:00+00"
  expect_sql "SELECT string_agg(DISTINCT asset || ':' || metric, ' ' ORDER BY asset || ':' || metric) FROM metrics" \
    "eq-nvda:PRICE eth:FEES eth:PRICE lower:PRICE sol:DAU sol:FEES sol:PRICE"
  # one request per group of assets wanting the same metrics, both days in it
  expect_eq "$(queries | sort | tr '\n' ';')" \
    "/artemis/data/api/DAU,FEES,PRICE/ symbols=sol&startDate=2024-03-11&endDate=2024-03-12;/artemis/data/api/DAU,PRICE/ symbols=eq-nvda&startDate=2024-03-11&endDate=2024-03-12;/artemis/data/api/FEES,PRICE/ symbols=eth&startDate=2024-03-11&endDate=2024-03-12;/artemis/data/api/PRICE/ symbols=lower&startDate=2024-03-11&endDate=2024-03-12;" \
    "requests"
  # "Metric not available for asset." is listed, skipped, and not a failure
  expect_sql "SELECT asset || ' ' || error FROM pull_errors" "eq-nvda skipped: DAU: Metric not available for asset."
  expect_sql "SELECT status FROM pulls" "ok"
  # the excluded metric was not asked for, though the config says 1
  expect_contains "$ERR" "skipping VOLATILITY_90D_ANN (excluded for data quality"
  expect_sql "SELECT kind FROM assets WHERE asset = 'eq-nvda'" "equity"
  run artemis pull artemis --config "$CONFIG" "${FAST[@]}"
  expect_code 0
  expect_contains "$ERR" "0 inserted, 0 updated, 14 unchanged"
}

case_null_and_string_values_are_skipped_numeric_strings_kept() {
  new_database
  # yesterday the 14th ("N/A"), today the 15th ("1.5")
  TM_NOW=2024-03-15T10:00:00Z run artemis pull artemis --assets sol --metrics PRICE "${FAST[@]}"
  expect_code 0
  expect_sql "SELECT ts::date || ' ' || value FROM metrics" "2024-03-15 1.5"
  # the 13th is null
  TM_NOW=2024-03-13T10:00:00Z run artemis pull artemis --assets sol --metrics PRICE "${FAST[@]}"
  expect_sql "SELECT count(*) FROM metrics WHERE ts = '2024-03-13'" "0"
}

case_symbols_left_out_of_the_answer_are_named() {
  new_database
  # Artemis leaves a symbol it does not know out of its answer: named, with the closest of its
  # symbol list (fetched only then), in pull_errors and on stderr; the others stored
  run artemis pull artemis --assets sol,nosol --metrics PRICE "${FAST[@]}"
  expect_code 3
  expect_sql "SELECT count(*) FROM metrics WHERE asset = 'sol'" "2"
  expect_sql "SELECT asset || ': ' || error FROM pull_errors" "nosol: unknown Artemis symbol 'nosol'; closest: sol"
  expect_contains "$ERR" "unknown Artemis symbol 'nosol'"
  expect_eq "$(requests_to /artemis/asset/symbols/)" "1" "symbol lists"
  expect_not_contains "$ERR" "$KEY" "stderr"
  expect_sql "SELECT string_agg(asset, ' ') FROM assets" "sol"
  new_database
  reset_server
  run artemis backfill artemis --assets nosol --metrics PRICE --since 2024-01-01 "${FAST[@]}"
  expect_code 2
  expect_sql "SELECT count(*) FROM points" "0"
  # a range with no data at all ("symbols" is a string) names nobody
  new_database
  reset_server
  run artemis backfill artemis --assets sol --metrics PRICE --since 2015-10-01 --until 2015-12-31 "${FAST[@]}"
  expect_code 0
  expect_eq "$(requests_to /artemis/asset/symbols/)" "0" "symbol lists"
}

case_bad_pair_is_isolated_recorded_and_not_retried() {
  new_database
  run artemis pull artemis --assets sol,eth,bad-symbol,btc --metrics PRICE,FEES "${FAST[@]}"
  expect_code 3
  # each of its pairs is recorded, named by the request label
  expect_sql "SELECT string_agg(asset || ' ' || request || ': ' || error, E'\n' ORDER BY request) FROM pull_errors" \
"bad-symbol GET /data/api bad-symbol × FEES (2024-03-11..2024-03-12): HTTP 400 ({\"detail\": \"Invalid symbol or metric.\"})
bad-symbol GET /data/api bad-symbol × PRICE (2024-03-11..2024-03-12): HTTP 400 ({\"detail\": \"Invalid symbol or metric.\"})"
  expect_sql "SELECT count(DISTINCT asset) || ' ' || count(*) FROM metrics" "3 12"
  # split by symbols, then by metrics, until each bad pair stood alone: 4 → 2 → 1 → 1+1
  expect_eq "$(queries | grep -c 'bad-symbol')" "5" "requests naming bad-symbol"
}

case_429_backs_off_and_empty_200_is_retried() {
  new_database
  fault '{"path": "/artemis/data/api/PRICE/", "times": 1, "status": 429, "headers": {"Retry-After": "1"}, "body": "{\"detail\": \"Too many requests\"}"}'
  fault '{"path": "/artemis/data/api/FEES/", "times": 2, "status": 200, "body": ""}'
  run artemis pull artemis --assets sol --metrics PRICE "${FAST[@]}"
  expect_code 0
  run artemis pull artemis --assets eth --metrics FEES "${FAST[@]}"
  expect_code 0
  expect_eq "$(queries | grep -c '/PRICE/')" "2" "attempts after a 429"
  expect_eq "$(queries | grep -c '/FEES/')" "3" "attempts after two empty 200s"
  expect_sql "SELECT count(*) FROM points" "4"
}

case_symbols_string_means_no_data() {
  new_database
  run artemis backfill artemis --assets sol --metrics PRICE --since 2015-10-01 --until 2015-12-31 "${FAST[@]}"
  expect_code 0
  expect_sql "SELECT error FROM pull_errors" "skipped: No data available for the requested range."
  expect_sql "SELECT count(*) FROM points" "0"
  # the range is done: a second run asks for nothing
  local before
  before=$(queries | wc -l)
  run artemis backfill artemis --assets sol --metrics PRICE --since 2015-10-01 --until 2015-12-31 "${FAST[@]}"
  expect_eq "$(queries | wc -l)" "$before" "requests of the second run"
}

case_backfill_batches_windows_and_symbols() {
  new_database
  local assets
  assets=$(python3 -c "print(','.join('s%03d' % i for i in range(120)))")
  run artemis backfill artemis --assets "$assets" --metrics PRICE,MC --since 2021-01-01 --until 2023-12-31 "${FAST[@]}"
  expect_code 0
  # 120 symbols → batches of ≤ 50 (50, 50, 20); 3 years → windows of ≤ 365 days
  local worst
  worst=$(queries | python3 -c "
import sys, datetime
worst_s = worst_d = 0
for line in sys.stdin:
    q = dict(p.split('=') for p in line.split()[1].split('&'))
    worst_s = max(worst_s, len(q['symbols'].split(',')))
    d = (datetime.date.fromisoformat(q['endDate']) - datetime.date.fromisoformat(q['startDate'])).days + 1
    worst_d = max(worst_d, d)
print(worst_s, worst_d)")
  expect_eq "$worst" "50 365" "largest batch (symbols, days)"
  expect_eq "$(queries | wc -l)" "9" "requests (3 batches × 3 windows of 365 days)"
  # every day of three years, but the null 13th and the 'N/A' 14th of each month
  expect_sql "SELECT count(*) FROM metrics WHERE asset = 's000' AND metric = 'PRICE'" "$((1095 - 72))"
  # both limits are flags
  new_database
  reset_server
  run artemis backfill artemis --assets "$assets" --metrics PRICE --since 2023-01-01 --until 2023-12-31 \
    --batch-assets 100 --batch-days 100 "${FAST[@]}"
  expect_code 0
  expect_eq "$(queries | wc -l)" "8" "requests (2 batches × 4 windows of ≤ 100 days)"
}

case_killed_backfill_resumes_with_identical_rows() {
  new_database
  run artemis backfill artemis --config "$CONFIG" --since 2019-01-01 --until 2023-12-31 "${FAST[@]}"
  expect_code 0
  local reference
  reference=$(sql "SELECT count(*) || md5(string_agg(asset || metric || ts || value, ',' ORDER BY asset, metric, ts)) FROM metrics")

  new_database
  fault '{"path": "/artemis/data/api/DAU,FEES,PRICE/", "times": 1, "delay": 30}'
  ARTEMIS_API_KEY="$KEY" "$TM_BIN/tm" backfill artemis --config "$CONFIG" --since 2019-01-01 --until 2023-12-31 "${FAST[@]}" >/dev/null 2>&1 &
  local pid=$!
  for _ in $(seq 200); do
    [ "$(sql "SELECT count(*) FROM backfill_progress")" -ge 3 ] 2>/dev/null && break
    sleep 0.05
  done
  kill -9 "$pid"
  wait "$pid" 2>/dev/null
  expect_sql "SELECT count(*) > 0 FROM backfill_progress" "t"
  expect_sql "SELECT count(*) FROM backfill_progress WHERE asset = 'sol'" "0"
  run artemis backfill artemis --config "$CONFIG" --since 2019-01-01 --until 2023-12-31 "${FAST[@]}"
  expect_code 0
  expect_eq "$(sql "SELECT count(*) || md5(string_agg(asset || metric || ts || value, ',' ORDER BY asset, metric, ts)) FROM metrics")" \
    "$reference" "points after resuming"
}

case_key_never_leaks() {
  new_database
  run artemis pull artemis --config "$CONFIG" "${FAST[@]}" -v --record "$E2E_TMP/rec"
  expect_code 0
  expect_contains "$ERR" "APIKey=***"
  expect_not_contains "$OUT$ERR" "$KEY" "stdout/stderr"
  expect_eq "$(grep -rl -- "$KEY" "$E2E_TMP/rec" | wc -l)" "0" "recorded files with the key"
  ARTEMIS_API_KEY=wrong run tm pull artemis --config "$CONFIG" "${FAST[@]}"
  expect_code 1
  expect_contains "$ERR" "HTTP 401"
  expect_eq "$(pg_dump -d "${TM_DATABASE_URL#dbname=}" | grep -c -- "$KEY")" "0" "database dump lines with the key"
}

case_bad_matrix() {
  printf 'asset,PRICE\nsol,yes\n' >"$E2E_TMP/bad.csv"
  run artemis pull artemis --config "$E2E_TMP/bad.csv"
  expect_code 2
  expect_contains "$ERR" "bad.csv:2: cell PRICE for sol must be 1 or 0, found 'yes'"
  printf 'symbol,PRICE\nsol,1,1\n' >"$E2E_TMP/bad.csv"
  run artemis pull artemis --config "$E2E_TMP/bad.csv"
  expect_code 2
  expect_contains "$ERR" "bad.csv:2: expected 2 cells like the header, found 3"
  run artemis pull artemis
  expect_code 2
  expect_contains "$ERR" "artemis needs the assets to pull"
}

run_cases
