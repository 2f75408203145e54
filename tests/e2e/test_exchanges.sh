#!/usr/bin/env bash
# tm pull binance|kraken|coinbase against recorded tickers (tests/fixtures/http/binance/SOURCES.md).
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
  run tm pull binance --assets NOPE "${FAST[@]}"
  expect_code 1
  expect_contains "$ERR" "Invalid symbol."
}

case_kraken_result_key_differs_and_errors_hide_in_200() {
  new_database
  run tm pull kraken --assets XBTUSD,NOPEUSD "${FAST[@]}"
  expect_code 3
  expect_sql "SELECT string_agg(metric || '=' || value, ' ' ORDER BY metric) FROM metrics WHERE asset = 'XBTUSD'" \
    "PRICE=105899.4 VOLUME_24H=163.28908096"
  expect_sql "SELECT DISTINCT ts FROM points" "2024-03-13 11:00:00+00"
  expect_sql "SELECT asset || ': ' || error FROM pull_errors" "NOPEUSD: Kraken says EQuery:Unknown asset pair"
  run tm pull kraken --assets XBTUSD "${FAST[@]}"
  expect_code 0
  expect_contains "$ERR" "0 inserted, 0 updated, 2 unchanged"
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
  run tm query ohlcv --refresh --asset BTCUSDT --csv
  expect_contains "$OUT" "binance,BTCUSDT,2024-03-13T00:00:00Z,73346.14,80000,73346.14,80000,129.21293,2"
  run tm query history --refresh
  expect_code 2
}

case_no_backfill_for_tickers() {
  new_database
  run tm backfill kraken
  expect_code 2
  expect_contains "$ERR" "kraken has no backfill yet"
  expect_sql "SELECT count(*) FROM pulls" "0"
}

run_cases
