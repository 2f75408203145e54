#!/usr/bin/env bash
# tm pull|backfill coingecko against the generated CoinGecko API (tests/support/coingecko_api.py).
. "$(dirname "$0")/lib.sh"
start_fixture_server
export TM_COINGECKO_URL="$FIXTURE_URL/coingecko" TM_NOW=2024-03-13T05:17:00Z
FAST=(--rate-limit 100000 --retry-delay 10ms)
header_of() { request_log | python3 -c "import json,sys; print(' '.join(sorted({k.lower() for r in json.load(sys.stdin) if r['path'].startswith('/coingecko/') for k in r['headers'] if k.lower().startswith('x-cg')})))"; }

case_pull_twice_at_last_updated_at() {
  new_database
  run tm pull coingecko "${FAST[@]}"
  expect_code 0
  # seed 001's coins by default: price, market cap and 24h volume at CoinGecko's own time
  expect_sql "SELECT string_agg(DISTINCT asset, ' ' ORDER BY asset) || ' ' || count(*) || ' ' || min(ts) FROM metrics" \
    "bitcoin ethereum zcash 9 2024-03-13 04:59:43+00"
  run tm pull coingecko "${FAST[@]}"
  expect_code 0
  expect_contains "$ERR" "0 inserted, 0 updated, 9 unchanged"
  expect_eq "$(header_of)" "" "key headers without a key"
  run tm pull coingecko "${FAST[@]}" --assets solana --metrics PRICE
  expect_code 0
  expect_sql "SELECT count(*) FROM metrics WHERE asset = 'solana'" "1"
}

case_ids_left_out_of_the_answer_are_named() {
  new_database
  # /simple/price silently leaves out ids CoinGecko does not know: a mistyped id is named, with
  # the closest ids of /coins/list (fetched only then), in pull_errors and on stderr
  run tm pull coingecko "${FAST[@]}" --assets solana,bitcoinn,nosuchcoin
  expect_code 3
  expect_sql "SELECT count(*) FROM metrics WHERE asset = 'solana'" "3"
  expect_sql "SELECT string_agg(asset || ': ' || error, ' | ' ORDER BY asset) FROM pull_errors" \
    "bitcoinn: unknown CoinGecko coin id 'bitcoinn'; closest: bitcoin | nosuchcoin: unknown CoinGecko coin id 'nosuchcoin' (none of the 9 known is close)"
  expect_contains "$ERR" "unknown CoinGecko coin id 'bitcoinn'; closest: bitcoin"
  expect_eq "$(requests_to /coingecko/coins/list)" "1" "id lists"
  expect_sql "SELECT string_agg(asset, ' ') FROM assets" "solana"
  # nothing named exists: exit 2, nothing stored
  new_database
  reset_server
  run tm pull coingecko "${FAST[@]}" --assets bitcoinn
  expect_code 2
  expect_sql "SELECT count(*) FROM points" "0"
  # every id known: the list is never fetched
  reset_server
  run tm pull coingecko "${FAST[@]}" --assets bitcoin
  expect_code 0
  expect_eq "$(requests_to /coingecko/coins/list)" "0" "id lists"
}

case_keys_pick_host_and_header_and_never_leak() {
  new_database
  local key="CG-$$-secret"
  COINGECKO_DEMO_API_KEY="$key" run tm pull coingecko "${FAST[@]}" -v
  expect_code 0
  expect_eq "$(header_of)" "x-cg-demo-api-key" "header with a demo key"
  reset_server
  COINGECKO_PRO_API_KEY="$key" TM_COINGECKO_URL="$FIXTURE_URL/coingecko/pro" run tm pull coingecko "${FAST[@]}" -v --record "$E2E_TMP/rec"
  expect_code 0
  expect_eq "$(header_of)" "x-cg-pro-api-key" "header with a pro key"
  expect_not_contains "$OUT$ERR" "$key" "stdout/stderr"
  expect_eq "$(grep -rl -- "$key" "$E2E_TMP/rec" | wc -l)" "0" "recorded files with the key"
  # a pro key on the public host is refused by CoinGecko (error 10010): a clear failure, no leak
  COINGECKO_PRO_API_KEY="$key" run tm pull coingecko "${FAST[@]}"
  expect_code 1
  expect_contains "$ERR" "10010"
  expect_not_contains "$ERR" "$key" "stderr"
  expect_eq "$(pg_dump -d "${TM_DATABASE_URL#dbname=}" | grep -c -- "$key")" "0" "database dump lines with the key"
}

case_429_as_json_or_cloudflare_html() {
  new_database
  fault '{"path": "/coingecko/simple/price", "times": 1, "status": 429, "headers": {"Retry-After": "1", "Content-Type": "application/json"}, "body": "{\"status\":{\"error_code\":429,\"error_message\":\"You have exceeded the Rate Limit.\"}}"}'
  fault '{"path": "/coingecko/simple/price", "times": 1, "status": 429, "headers": {"Content-Type": "text/html"}, "body": "<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>cloudflare</body></html>"}'
  run tm pull coingecko "${FAST[@]}"
  expect_code 0
  expect_eq "$(requests_to /coingecko/simple/price)" "3" "attempts"
  expect_contains "$ERR" "HTTP 429 (an HTML error page)"
  expect_sql "SELECT count(*) FROM points" "9"
}

case_backfill_daily_windows_within_the_public_year() {
  new_database
  run tm backfill coingecko --assets bitcoin,young-coin,unknown --since 2022-01-01 "${FAST[@]}"
  expect_code 3
  # the first window starts on the first whole day inside the public 365 days counted from now
  expect_contains "$ERR" "keep 365 days of history; starting at 2023-03-15"
  # one daily range request per coin, over 90 days so the answer is daily
  expect_eq "$(requests_to /coingecko/coins/bitcoin/market_chart/range)" "1" "requests for bitcoin"
  expect_eq "$(request_log | python3 -c "import json,sys,urllib.parse as u; print(min(int(u.parse_qs(r['query'])['from'][0]) for r in json.load(sys.stdin) if r['path'].endswith('/market_chart/range')) >= 1710307020 - 365 * 86400)")" \
    "True" "first window inside 365 days of now"
  expect_sql "SELECT count(*) FROM metrics WHERE asset = 'bitcoin' AND metric = 'PRICE'" "364"
  expect_sql "SELECT count(*) FROM metrics WHERE asset = 'bitcoin' AND metric = 'PRICE' AND ts <> date_trunc('day', ts)" "0"
  # the null and the zero market cap are no value
  expect_sql "SELECT min(ts) FROM metrics WHERE asset = 'bitcoin' AND metric = 'MARKET_CAP'" "2023-03-17 00:00:00+00"
  expect_sql "SELECT asset || ': ' || error FROM pull_errors" "unknown: unknown CoinGecko coin id 'unknown' (none of the 9 known is close)"
  # a short range still asks for more than 90 days (daily), keeping what was asked for
  new_database
  reset_server
  run tm backfill coingecko --assets ethereum --since 2024-03-01 "${FAST[@]}"
  expect_code 0
  expect_sql "SELECT count(*) || ' ' || min(ts)::date || ' ' || max(ts)::date FROM metrics WHERE metric = 'PRICE'" "12 2024-03-01 2024-03-12"
}

case_backfill_retries_error_10012_once_a_day_later() {
  new_database
  # CoinGecko counts its 365 days from the moment of the request; should it still refuse the
  # first window (HTTP 401, error 10012, the real body), tm asks once more from a day later.
  local refused
  refused=$(python3 -c "import json; print(json.dumps(open('$TM_SOURCE_DIR/tests/fixtures/coingecko/error_10012_outside_public_range_real.json').read()))")
  fault "{\"path\": \"/coingecko/coins/bitcoin/market_chart/range\", \"times\": 1, \"status\": 401, \"body\": $refused, \"headers\": {\"Content-Type\": \"application/json\"}}"
  run tm backfill coingecko --assets bitcoin "${FAST[@]}"
  expect_code 0
  expect_eq "$(requests_to /coingecko/coins/bitcoin/market_chart/range)" "2" "requests"
  expect_contains "$(request_log)" "from=1678924800" # 2023-03-16, a day after the refused start
  expect_sql "SELECT count(*) FROM metrics WHERE asset = 'bitcoin' AND metric = 'PRICE'" "363"
  expect_sql "SELECT asset || ': ' || error FROM pull_errors" \
    "bitcoin: skipped: CoinGecko refused history from 2023-03-15 as older than its public 365 days (error 10012); asking again from 2023-03-16"
  # once only: a second refusal is the chunk's failure, named
  new_database
  reset_server
  fault "{\"path\": \"/coingecko/coins/bitcoin/market_chart/range\", \"times\": -1, \"status\": 401, \"body\": $refused, \"headers\": {\"Content-Type\": \"application/json\"}}"
  run tm backfill coingecko --assets bitcoin "${FAST[@]}"
  expect_code 1
  expect_eq "$(requests_to /coingecko/coins/bitcoin/market_chart/range)" "2" "requests"
  expect_sql "SELECT count(*) FROM pull_errors WHERE error LIKE 'HTTP 401%10012%'" "1"
}

case_every_for_samples_within_the_budget() {
  new_database
  run tm pull coingecko --every 1s --for 10s
  expect_code 2
  expect_contains "$ERR" "--every 1s needs 60 requests a minute from coingecko, whose budget is 30 a minute"
  expect_sql "SELECT count(*) FROM pulls" "0"
  run tm pull coingecko --every 1s
  expect_code 2
  expect_contains "$ERR" "--every and --for go together"
  # within the budget: one pull every 2 s for 5 s (at 0, 2 and 4 s)
  run tm pull coingecko --every 2s --for 5s --rate-limit 60
  expect_code 0
  expect_sql "SELECT count(*) || ' ' || string_agg(DISTINCT status, ',') FROM pulls" "3 ok"
  expect_eq "$(requests_to /coingecko/simple/price)" "3" "requests"
}

case_daily_ohlcv_answers_seed_001() {
  new_database
  run tm backfill coingecko --assets bitcoin --since 2024-03-10 "${FAST[@]}"
  expect_code 0
  run tm pull coingecko --assets bitcoin "${FAST[@]}"
  sql "INSERT INTO points SELECT series_id, '2024-03-13 05:30:00+00', 1, NULL FROM series WHERE asset = 'bitcoin' AND metric = 'PRICE';
       INSERT INTO points SELECT series_id, '2024-03-13 05:40:00+00', 1000, NULL FROM series WHERE asset = 'bitcoin' AND metric = 'PRICE'" >/dev/null
  run tm pull coingecko --assets bitcoin --metrics PRICE "${FAST[@]}"
  # points inserted by SQL bypass tm's writes, which keep the candles: the repair rebuilds them
  expect_sql "SELECT high < 1000 FROM daily_ohlcv WHERE asset = 'bitcoin' AND day = '2024-03-13'" "t"
  run tm compact --rebuild-candles --source coingecko
  expect_code 0
  expect_contains "$OUT" "candles rebuilt: 2 series of coingecko"
  expect_sql "SELECT count(*) FROM daily_ohlcv WHERE asset = 'bitcoin' AND day < '2024-03-13'" "3"
  expect_sql "SELECT open < 1000 AND high = 1000 AND low = 1 AND close = 1000 AND samples = 3 FROM daily_ohlcv WHERE asset = 'bitcoin' AND day = '2024-03-13'" "t"
  # a write keeps them by itself
  new_database
  run tm backfill coingecko --assets ethereum --since 2024-03-10 "${FAST[@]}"
  expect_sql "SELECT count(*) FROM daily_ohlcv" "3"
  expect_sql "SELECT count(*) FROM daily_ohlcv WHERE volume IS NOT NULL AND open = close" "3"
}

case_no_config_for_coingecko() {
  run tm pull coingecko --config "$TM_SOURCE_DIR/config/defillama.csv"
  expect_code 2
  expect_contains "$ERR" "coingecko takes no --config"
}

run_cases
