#!/usr/bin/env bash
# tm pull|backfill hyperliquid: metaAndAssetCtxs and predictedFundings built from real captures,
# the real 1,038-row BTC funding history paged 500 rows at a time (tests/support/hyperliquid_api.py).
. "$(dirname "$0")/lib.sh"
start_fixture_server
export TM_HYPERLIQUID_URL="$FIXTURE_URL/hyperliquid" TM_NOW=2023-07-18T05:17:00Z
FAST=(--rate-limit 100000 --retry-delay 10ms)
bodies() { request_log | python3 -c "import json,sys; [print(r['body']) for r in json.load(sys.stdin) if r['path'] == '/hyperliquid/info']"; }

case_pull_twice_stamps_the_hour() {
  new_database
  run tm pull hyperliquid "${FAST[@]}"
  expect_code 0
  # 28 perps, one delisted: 27 each; PREMIUM also loses the "NaN" and the captured nulls
  expect_sql "SELECT string_agg(metric || '=' || n, ' ' ORDER BY metric) FROM (SELECT metric, count(*) n FROM metrics WHERE metric NOT LIKE 'PREDICTED%' GROUP BY 1) m" \
    "FUNDING_RATE=27 MARK_PRICE=27 OPEN_INTEREST=27 ORACLE_PRICE=27 PREMIUM=24 VOLUME_24H=27"
  expect_sql "SELECT DISTINCT ts FROM points" "2023-07-18 05:00:00+00"
  # predicted fundings per venue; the null venue is skipped
  expect_sql "SELECT string_agg(asset || ':' || metric, ' ' ORDER BY asset, metric) FROM metrics WHERE metric LIKE 'PREDICTED%'" \
    "AVAX:PREDICTED_FUNDING_RATE_BINPERP AVAX:PREDICTED_FUNDING_RATE_BYBITPERP AVAX:PREDICTED_FUNDING_RATE_HLPERP BTC:PREDICTED_FUNDING_RATE_HLPERP"
  # seed 002's shape
  expect_sql "SELECT count(*) FROM funding_rates WHERE \"timestamp\" = '2023-07-18 05:00:00+00'" "27"
  expect_sql "SELECT extra->>'delisted' FROM assets WHERE source = 'hyperliquid' AND extra ? 'delisted'" "true"
  run tm pull hyperliquid "${FAST[@]}"
  expect_code 0
  expect_contains "$ERR" "0 inserted, 0 updated"
  # weights: POST bodies with the documented types
  expect_contains "$(bodies)" '{"type":"metaAndAssetCtxs"}'
  run tm pull hyperliquid "${FAST[@]}" --assets BTC,ETH --metrics FUNDING_RATE
  expect_code 0
}

case_backfill_pages_500_rows_and_keeps_api_times() {
  new_database
  run tm backfill hyperliquid --assets BTC,NOPE --since 2023-05-01 "${FAST[@]}"
  expect_code 3
  # three pages for BTC, each starting 1 ms after the last row of the one before
  expect_eq "$(bodies | grep -c '"coin":"BTC"')" "3" "BTC pages"
  expect_contains "$(bodies)" '"startTime":1687687200202'
  expect_sql "SELECT count(*) || ' ' || min(\"timestamp\") || ' ' || max(\"timestamp\") FROM funding_rates" \
    "1038 2023-05-12 00:00:00.048+00 2023-07-17 21:00:00.065+00"
  # the unknown coin: named from the listed perps, with the closest, and never asked for
  expect_eq "$(bodies | grep -c '"coin":"NOPE"')" "0" "requests for an unknown coin"
  expect_sql "SELECT asset || ': ' || error FROM pull_errors" "NOPE: unknown Hyperliquid coin 'NOPE'; closest: APE, OP, DOGE"
  run tm backfill hyperliquid --assets BTC --since 2023-05-01 "${FAST[@]}"
  expect_code 0
  expect_contains "$ERR" "0 inserted"
}

case_killed_backfill_resumes_at_the_next_page() {
  new_database
  run tm backfill hyperliquid --assets BTC --since 2023-05-01 "${FAST[@]}"
  local reference
  reference=$(sql "SELECT count(*) || md5(string_agg(\"timestamp\"::text || rate::text, ',' ORDER BY \"timestamp\")) FROM funding_rates")
  new_database
  reset_server
  # the listed perps and the first two pages pass, the third hangs until the kill
  fault '{"path": "/hyperliquid/info", "times": 3}'
  fault '{"path": "/hyperliquid/info", "times": 1, "delay": 30}'
  "$TM_BIN/tm" backfill hyperliquid --assets BTC --since 2023-05-01 "${FAST[@]}" >/dev/null 2>&1 &
  local pid=$!
  for _ in $(seq 200); do
    [ "$(sql "SELECT count(*) FROM funding_rates")" = 1000 ] && break
    sleep 0.05
  done
  sleep 1.5 # let the second page's progress commit
  kill -9 "$pid"
  wait "$pid" 2>/dev/null
  expect_sql "SELECT count(*) FROM funding_rates" "1000"
  expect_sql "SELECT done_through FROM backfill_progress" "2023-07-16 07:00:00.165+00"
  reset_server
  run tm backfill hyperliquid --assets BTC --since 2023-05-01 "${FAST[@]}"
  expect_code 0
  expect_eq "$(bodies | wc -l)" "2" "requests after resuming (the listed perps, the last page)"
  expect_eq "$(sql "SELECT count(*) || md5(string_agg(\"timestamp\"::text || rate::text, ',' ORDER BY \"timestamp\")) FROM funding_rates")" \
    "$reference" "funding rates after resuming"
}

case_builder_dexes_are_opt_in_and_named_dex_coin() {
  new_database
  # without --dex nothing but the main dex is asked for
  run tm pull hyperliquid "${FAST[@]}"
  expect_not_contains "$(bodies)" "perpDexs" "requests without --dex"
  # --dex xyz: perpDexs once, then metaAndAssetCtxs of that dex; coins named xyz:COIN
  new_database
  reset_server
  run tm pull hyperliquid --dex xyz "${FAST[@]}"
  expect_code 0
  expect_contains "$(bodies)" '{"type":"perpDexs"}'
  expect_contains "$(bodies)" '{"type":"metaAndAssetCtxs","dex":"xyz"}'
  expect_sql "SELECT string_agg(DISTINCT asset, ' ' ORDER BY asset) FROM metrics WHERE asset LIKE '%:%'" "xyz:AAPL xyz:NVDA xyz:XYZ100"
  expect_sql "SELECT value FROM metrics WHERE asset = 'xyz:XYZ100' AND metric = 'FUNDING_RATE'" "$(python3 -c "import json; print(float(json.load(open('$TM_SOURCE_DIR/tests/fixtures/http/hyperliquid/info@type=metaAndAssetCtxs@dex=xyz.json'))[1][0]['funding']))")"
  expect_sql "SELECT extra->>'dex' FROM assets WHERE asset = 'xyz:XYZ100'" "xyz"
  # four requests of weight 20: metaAndAssetCtxs, predictedFundings, perpDexs, xyz's contexts
  expect_sql "SELECT requests FROM pulls" "4"
  # all, from the deployment's environment; an unknown dex is named and the rest stored
  new_database
  reset_server
  TM_HYPERLIQUID_DEXES=all run tm pull hyperliquid "${FAST[@]}"
  expect_code 0
  expect_sql "SELECT string_agg(DISTINCT split_part(asset, ':', 1), ' ' ORDER BY split_part(asset, ':', 1)) FROM metrics WHERE asset LIKE '%:%'" "flx xyz"
  new_database
  run tm pull hyperliquid --dex xyz,xyy "${FAST[@]}"
  expect_code 3
  expect_sql "SELECT asset || ': ' || error FROM pull_errors" "xyy: unknown Hyperliquid perp dex 'xyy'; closest: xyz"
  expect_sql "SELECT count(*) > 0 FROM metrics WHERE asset = 'BTC'" "t"
  # a dex:COIN asset opts into its dex; a coin no universe has is named, exit 2 when alone
  new_database
  reset_server
  run tm pull hyperliquid --assets xyz:XYZ100 "${FAST[@]}"
  expect_code 0
  expect_sql "SELECT string_agg(DISTINCT asset, ' ') FROM metrics" "xyz:XYZ100"
  new_database
  run tm pull hyperliquid --assets xyz:XYZ10 "${FAST[@]}"
  expect_code 2
  expect_sql "SELECT asset || ': ' || error FROM pull_errors" "xyz:XYZ10: unknown Hyperliquid coin 'xyz:XYZ10'; closest: xyz:XYZ100"
  # the budget counts every dex's request: 3 × 20 a second is more than 1,200 a minute
  run tm pull hyperliquid --dex xyz --every 1s --for 2s
  expect_code 2
  expect_contains "$ERR" "--every 1s needs 3600 requests a minute from hyperliquid"
  # --dex is Hyperliquid's only
  run tm pull binance --dex xyz
  expect_code 2
  expect_contains "$ERR" "--dex chooses Hyperliquid's builder-deployed perp dexes; binance has none"
}

case_builder_dex_funding_history() {
  new_database
  run tm backfill hyperliquid --assets xyz:XYZ100 --since 2023-07-01 "${FAST[@]}"
  expect_code 0
  expect_contains "$(bodies)" '"coin":"xyz:XYZ100"'
  expect_sql "SELECT count(*) FROM funding_rates WHERE symbol = 'xyz:XYZ100'" "3"
}

case_no_config_for_hyperliquid() {
  run tm pull hyperliquid --config "$TM_SOURCE_DIR/config/defillama.csv"
  expect_code 2
  expect_contains "$ERR" "hyperliquid takes no --config"
}

run_cases
