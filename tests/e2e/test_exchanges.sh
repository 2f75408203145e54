#!/usr/bin/env bash
# tm pull binance|kraken|coinbase against recorded tickers (tests/fixtures/http/SOURCES.md and
# binance/SOURCES.md): real answer shapes, names matched as each exchange names them, unknown
# names reported, errors inside 200 bodies retried or named.
. "$(dirname "$0")/lib.sh"
start_fixture_server
export TM_BINANCE_URL="$FIXTURE_URL/binance" TM_KRAKEN_URL="$FIXTURE_URL/kraken" TM_COINBASE_URL="$FIXTURE_URL/coinbase"
export TM_NOW=2024-03-13T11:20:00Z
FAST=(--rate-limit 100000 --retry-delay 10ms)

case_binance_batches_symbols_and_stamps_close_time() {
  new_database
  run tm pull binance --assets BTCUSDT,ETHUSDT "${FAST[@]}"
  expect_code 0
  expect_sql "SELECT string_agg(metric || '=' || value, ' ' ORDER BY metric) FROM metrics WHERE asset = 'BTCUSDT'" \
    "PRICE=73346.14 QUOTE_VOLUME_24H=9254480.3601184 VOLUME_24H=129.21293"
  expect_sql "SELECT DISTINCT ts FROM metrics WHERE asset = 'BTCUSDT'" "2024-03-13 11:10:44.727+00"
  expect_eq "$(requests_to /binance/api/v3/ticker/24hr)" "1" "requests for two symbols"
  run tm pull binance --assets BTCUSDT,ETHUSDT "${FAST[@]}"
  expect_contains "$ERR" "0 inserted, 0 updated"
  # prices feed daily_ohlcv
  expect_sql "SELECT count(*) FROM daily_ohlcv WHERE source = 'binance'" "2"
}

case_binance_418_and_451_are_final_with_a_clear_word() {
  new_database
  fault '{"path": "/binance/api/v3/ticker/24hr", "times": 1, "status": 451, "body": "{\"code\":0,\"msg\":\"Service unavailable from a restricted location\"}"}'
  run tm pull binance "${FAST[@]}"
  expect_code 1
  expect_contains "$ERR" "HTTP 451: Binance refuses this location; point TM_BINANCE_URL at"
  fault '{"path": "/binance/api/v3/ticker/24hr", "times": 1, "status": 418, "body": "{\"code\":-1003,\"msg\":\"Way too many requests; IP banned.\"}"}'
  run tm pull binance "${FAST[@]}"
  expect_code 1
  expect_contains "$ERR" "HTTP 418: Binance has banned this IP"
  expect_eq "$(requests_to /binance/api/v3/ticker/24hr)" "2" "attempts (no retries)"
}

case_binance_unknown_symbol_does_not_sink_the_batch() {
  new_database
  # Binance refuses the whole symbols=[…] list for one unknown symbol (400 -1121): tm checks the
  # names against the symbol list (once per run, weight 4) and asks only for listed ones.
  run tm pull binance --assets BTCUSDT,NOPEUSDT,ETHUSDT "${FAST[@]}"
  expect_code 3
  expect_sql "SELECT string_agg(DISTINCT asset, ' ' ORDER BY asset) FROM metrics" "BTCUSDT ETHUSDT"
  expect_sql "SELECT asset || ': ' || error FROM pull_errors" \
    "NOPEUSDT: unknown Binance symbol 'NOPEUSDT' (none of the 5 known is close)"
  expect_contains "$ERR" "unknown Binance symbol 'NOPEUSDT'"
  expect_eq "$(requests_to /binance/api/v3/ticker/price)" "1" "symbol lists"
  expect_eq "$(requests_to /binance/api/v3/ticker/24hr)" "1" "ticker requests"
  expect_sql "SELECT status || ' ' || requests || ' ' || failed_requests FROM pulls" "partial 2 0"
  expect_sql "SELECT string_agg(asset, ' ' ORDER BY asset) FROM assets WHERE source = 'binance'" "BTCUSDT ETHUSDT"
  # a symbol listed yet refused (delisted between the two requests): the batch is halved until
  # it stands alone, and every other symbol is stored
  reset_server
  new_database
  run tm pull binance --assets BTCUSDT,BTCUSDC,ETHUSDT "${FAST[@]}"
  expect_code 3
  expect_sql "SELECT string_agg(DISTINCT asset, ' ' ORDER BY asset) FROM metrics" "BTCUSDT ETHUSDT"
  expect_sql "SELECT asset || ': ' || error FROM pull_errors" "BTCUSDC: unknown Binance symbol 'BTCUSDC'; closest: BTCUSDT"
  expect_eq "$(requests_to /binance/api/v3/ticker/24hr)" "5" "ticker requests (3, then halves)"
  # nothing named exists: nothing attempted beyond the list, nothing stored, exit 2
  new_database
  run tm pull binance --assets NOPE "${FAST[@]}"
  expect_code 2
  expect_contains "$ERR" "unknown Binance symbol 'NOPE'"
  expect_sql "SELECT count(*) FROM points" "0"
  expect_sql "SELECT count(*) FROM assets" "0"
  expect_sql "SELECT status FROM pulls" "failed"
}

case_binance_klines_backfill_names_unknown_symbols() {
  new_database
  local -x TM_NOW=2024-03-13T05:17:00Z
  run tm backfill binance --assets BTCUSDT,ETHUSTD --since 2024-03-01 "${FAST[@]}"
  expect_code 3
  expect_sql "SELECT count(*) FROM metrics WHERE asset = 'BTCUSDT' AND metric = 'CLOSE_1D'" "12"
  expect_sql "SELECT asset || ': ' || error FROM pull_errors" \
    "ETHUSTD: unknown Binance symbol 'ETHUSTD'; closest: ETHUSDT"
  expect_eq "$(requests_to /binance/api/v3/klines)" "1" "klines requests (BTCUSDT only)"
}

case_kraken_pairs_matched_through_assetpairs() {
  new_database
  # one AssetPairs (the names), one Ticker for every pair, answered under Kraken's own keys
  run tm pull kraken --assets XBTUSD,ETH/USD,NOPEUSD,XBTUSDD "${FAST[@]}"
  expect_code 3
  expect_sql "SELECT string_agg(metric || '=' || value, ' ' ORDER BY metric) FROM metrics WHERE asset = 'XBTUSD'" \
    "PRICE=105899.4 VOLUME_24H=163.28908096"
  expect_sql "SELECT value FROM metrics WHERE asset = 'ETH/USD' AND metric = 'PRICE'" "3456.78"
  expect_sql "SELECT DISTINCT ts FROM points" "2024-03-13 11:00:00+00"
  expect_sql "SELECT string_agg(asset || ': ' || error, ' | ' ORDER BY asset) FROM pull_errors" \
    "NOPEUSD: unknown Kraken pair 'NOPEUSD' (none of the 8 known is close) | XBTUSDD: unknown Kraken pair 'XBTUSDD'; closest: XBTUSDT, XBTUSD"
  expect_eq "$(requests_to /kraken/0/public/AssetPairs)" "1" "AssetPairs requests"
  expect_eq "$(requests_to /kraken/0/public/Ticker)" "1" "Ticker requests"
  expect_contains "$(request_log)" "pair=XXBTZUSD%2CXETHZUSD"
  run tm pull kraken --assets XBTUSD "${FAST[@]}"
  expect_code 0
  expect_contains "$ERR" "0 inserted, 0 updated, 2 unchanged"
  # only unknown names: nothing stored, exit 2
  new_database
  run tm pull kraken --assets NOPEUSD "${FAST[@]}"
  expect_code 2
  expect_sql "SELECT count(*) FROM points" "0"
}

case_kraken_answer_of_several_pairs_is_matched_by_key() {
  new_database
  # A real answer holding several pairs, another pair first (0GEUR at 0.138): tm took the first.
  local market body
  market="$TM_SOURCE_DIR/tests/fixtures/http/kraken/market/Ticker.json"
  body=$(python3 -c "import json; r=json.load(open('$market'))['result']; print(json.dumps(json.dumps({'error': [], 'result': {k: r[k] for k in ('0GEUR', 'XXBTZUSD', '1INCHEUR')}})))")
  fault "{\"path\": \"/kraken/0/public/Ticker\", \"times\": 1, \"status\": 200, \"body\": $body}"
  run tm pull kraken --assets XBTUSD "${FAST[@]}"
  expect_code 0
  expect_sql "SELECT value FROM metrics WHERE asset = 'XBTUSD' AND metric = 'PRICE'" "105899.4"
  expect_sql "SELECT string_agg(asset || ': ' || error, ' | ' ORDER BY asset) FROM pull_errors" \
    "0GEUR: skipped: a pair tm did not ask for; ignored | 1INCHEUR: skipped: a pair tm did not ask for; ignored"
  # an answer without the asked pair is an error naming it, never another pair's price
  body=$(python3 -c "import json; r=json.load(open('$market'))['result']; print(json.dumps(json.dumps({'error': [], 'result': {'0GEUR': r['0GEUR']}})))")
  new_database
  fault "{\"path\": \"/kraken/0/public/Ticker\", \"times\": 1, \"status\": 200, \"body\": $body}"
  run tm pull kraken --assets XBTUSD "${FAST[@]}"
  expect_code 1
  expect_sql "SELECT asset || ': ' || error FROM pull_errors" "XBTUSD: Kraken's answer has no ticker for XBTUSD (it has 0GEUR)"
  expect_sql "SELECT count(*) FROM points" "0"
}

case_kraken_throttle_in_a_200_body_is_retried_and_counted() {
  new_database
  local limit='{\"error\":[\"EAPI:Rate limit exceeded\"],\"result\":{}}'
  fault "{\"path\": \"/kraken/0/public/Ticker\", \"times\": 1, \"status\": 200, \"body\": \"$limit\"}"
  run tm pull kraken --assets XBTUSD "${FAST[@]}"
  expect_code 0
  expect_contains "$ERR" "Kraken says EAPI:Rate limit exceeded; retry 1/4"
  expect_eq "$(requests_to /kraken/0/public/Ticker)" "2" "attempts"
  expect_sql "SELECT status || ' ' || requests || ' ' || failed_requests FROM pulls" "ok 3 0"
  # every throttle Kraken names is retried; a lasting one fails the pull, and the journal counts it
  local error
  for error in "EGeneral:Too many requests" "EService:Unavailable" "EService:Busy"; do
    new_database
    reset_server
    fault "{\"path\": \"/kraken/0/public/Ticker\", \"times\": -1, \"status\": 200, \"body\": \"{\\\"error\\\":[\\\"$error\\\"]}\"}"
    run tm pull kraken --assets XBTUSD "${FAST[@]}" --retries 2
    expect_code 1
    expect_eq "$(requests_to /kraken/0/public/Ticker)" "3" "attempts with $error"
    expect_sql "SELECT status || ' ' || requests || ' ' || failed_requests FROM pulls" "failed 4 1"
    expect_sql "SELECT asset || ': ' || error FROM pull_errors" "XBTUSD: Kraken says $error"
  done
  # any other E… error is final, and named
  new_database
  reset_server
  fault '{"path": "/kraken/0/public/Ticker", "times": -1, "status": 200, "body": "{\"error\":[\"EGeneral:Invalid arguments\"]}"}'
  run tm pull kraken --assets XBTUSD "${FAST[@]}"
  expect_code 1
  expect_eq "$(requests_to /kraken/0/public/Ticker)" "1" "attempts of a final error"
  expect_sql "SELECT failed_requests || ' ' || error FROM pulls" "1 GET /0/public/Ticker XBTUSD (XBTUSD): Kraken says EGeneral:Invalid arguments"
}

case_kraken_idle_pair_keeps_its_volume_not_a_price() {
  new_database
  run tm pull kraken --assets XBTUSD,TBTCEUR "${FAST[@]}"
  expect_code 0
  # c = ["0.00000000", …]: no trade in 24 h, so no price; the volume of 0 is a value
  expect_sql "SELECT string_agg(metric || '=' || value, ' ' ORDER BY metric) FROM metrics WHERE asset = 'TBTCEUR'" "VOLUME_24H=0"
}

case_coinbase_ticker_at_its_time() {
  new_database
  run tm pull coinbase --assets BTC-USDT "${FAST[@]}"
  expect_code 0
  expect_sql "SELECT metric || ' ' || value || ' ' || ts FROM metrics ORDER BY metric" \
    "PRICE 73367.8 2024-03-13 11:10:41.270099+00
VOLUME_24H 1207.50668151 2024-03-13 11:10:41.270099+00"
  run tm pull coinbase --assets BTC-USDT "${FAST[@]}"
  expect_contains "$ERR" "0 inserted, 0 updated, 2 unchanged"
}

case_binance_klines_pages_of_1000_per_interval() {
  new_database
  local -x TM_NOW=2024-03-13T05:17:00Z # today is 2024-03-13: history through the 12th
  # 72 days of hourly candles: one full page of 1,000, then the rest from 1 ms after its last
  run tm backfill binance --assets BTCUSDT --interval 1h --since 2024-01-01 "${FAST[@]}"
  expect_code 0
  expect_sql "SELECT string_agg(metric || '=' || n, ' ' ORDER BY metric) FROM (SELECT metric, count(*) n FROM metrics GROUP BY 1) m" \
    "CLOSE_1H=1728 HIGH_1H=1728 LOW_1H=1728 OPEN_1H=1728 VOLUME_1H=1728"
  expect_eq "$(requests_to /binance/api/v3/klines)" "2" "pages"
  expect_contains "$(request_log)" "startTime=1707663600001"
  # another interval is other series; a rerun fetches nothing
  run tm backfill binance --assets BTCUSDT --interval 1d --since 2024-01-01 "${FAST[@]}"
  expect_sql "SELECT count(*) FROM metrics WHERE metric = 'CLOSE_1D'" "72"
  run tm backfill binance --assets BTCUSDT --interval 1h --since 2024-01-01 "${FAST[@]}"
  expect_eq "$(requests_to /binance/api/v3/klines)" "3" "requests after the reruns"
  run tm backfill binance --interval 2d
  expect_code 2
}

case_query_ohlcv() {
  new_database
  run tm pull binance --assets BTCUSDT,ETHUSDT "${FAST[@]}"
  run tm query ohlcv --csv --source binance
  expect_code 0
  expect_eq "$OUT" "$(printf 'source,asset,day,open,high,low,close,volume,samples\nbinance,BTCUSDT,2024-03-13T00:00:00Z,73346.14,73346.14,73346.14,73346.14,129.21293,1\nbinance,ETHUSDT,2017-07-12T00:00:00Z,4.000002,4.000002,4.000002,4.000002,8913.3,1')" "ohlcv CSV"
  sql "INSERT INTO points SELECT series_id, '2024-03-13 12:00:00+00', 80000, NULL FROM series WHERE asset = 'BTCUSDT' AND metric = 'PRICE'" >/dev/null
  # A point written by SQL, not by tm, reaches the candles through the repair.
  run tm compact --rebuild-candles --source binance
  expect_code 0
  run tm query ohlcv --asset BTCUSDT --csv
  expect_contains "$OUT" "binance,BTCUSDT,2024-03-13T00:00:00Z,73346.14,80000,73346.14,80000,129.21293,2"
  run tm query ohlcv --refresh
  expect_code 2
}

case_coinbase_unknown_product_is_named() {
  new_database
  # Coinbase answers 404 {"message":"NotFound"}; its product list (fetched only then) suggests
  run tm pull coinbase --assets BTC-USDT,BTC-USDX "${FAST[@]}"
  expect_code 3
  expect_sql "SELECT count(*) FROM metrics WHERE asset = 'BTC-USDT'" "2"
  expect_sql "SELECT asset || ': ' || error FROM pull_errors" "BTC-USDX: unknown Coinbase product 'BTC-USDX'; closest: BTC-USD, BTC-USDT"
  expect_eq "$(requests_to /coinbase/products)" "1" "product lists"
  expect_sql "SELECT string_agg(asset, ' ') FROM assets" "BTC-USDT"
  new_database
  run tm pull coinbase --assets NOPE-USD "${FAST[@]}"
  expect_code 2
  expect_contains "$ERR" "unknown Coinbase product 'NOPE-USD'"
}

case_no_backfill_for_tickers() {
  new_database
  run tm backfill kraken
  expect_code 2
  expect_contains "$ERR" "kraken has no backfill yet"
  expect_sql "SELECT count(*) FROM pulls" "0"
}

run_cases
