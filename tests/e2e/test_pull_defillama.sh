#!/usr/bin/env bash
# tm pull defillama against recorded responses: idempotency, the journal, faults, secrets.
. "$(dirname "$0")/lib.sh"
start_fixture_server
export TM_NOW=2024-03-13T05:17:00Z # every pull of this file lands in the 05:00 bucket
FAST_RETRY=(--retry-delay 10ms)
# The slice of issue 2 (two endpoints), for cases about HTTP behaviour where request counts matter.
SLICE=(--metrics TVL,CHAIN_TVL --rate-limit 6000)
FULL_POINTS=95   # every free family of the fixtures
FULL_REQUESTS=14

case_pull_twice_is_idempotent() {
  new_database
  run tm pull defillama --rate-limit 6000
  expect_code 0
  expect_sql "SELECT count(*) FROM points" "$FULL_POINTS"
  expect_sql "SELECT count(*) FROM metrics WHERE metric IN ('TVL', 'CHAIN_TVL')" "16"
  # snapshots in the pull's hour, daily totals on the last complete day
  expect_sql "SELECT string_agg(DISTINCT ts::text, ' ') FROM points" "2024-03-12 00:00:00+00 2024-03-13 05:00:00+00"
  expect_sql "SELECT value FROM metrics WHERE asset = 'curve' AND metric = 'TVL'" "16890071630.01999"
  expect_sql "SELECT count(*) FROM assets WHERE kind = 'protocol'" "10"
  expect_sql "SELECT count(*) FROM assets WHERE kind = 'chain'" "6"
  run tm pull defillama --rate-limit 6000
  expect_code 0
  expect_contains "$ERR" "0 inserted, 0 updated, $FULL_POINTS unchanged"
  expect_sql "SELECT count(*) FROM points" "$FULL_POINTS"
  expect_sql "SELECT string_agg(status || ':' || points_inserted || ':' || points_updated || ':' || requests, ' ' ORDER BY pull_id) FROM pulls" \
    "ok:$FULL_POINTS:0:$FULL_REQUESTS ok:0:0:$FULL_REQUESTS"
  # without a key the pro-only families are skipped, one info line each
  expect_eq "$(printf '%s\n' "$ERR" | grep -c 'skipping bridges')" "1" "lines about bridges"
  expect_contains "$ERR" "skipping derivatives_volume"
  expect_contains "$ERR" "skipping flows"
  expect_sql "SELECT count(*) FROM pulls WHERE finished_at IS NULL" "0"
  # gzip was asked for and a tm User-Agent sent
  local log
  log=$(request_log)
  expect_contains "$log" '"User-Agent": "tm/'
  expect_contains "$log" '"Accept-Encoding": "'
}

case_changed_value_in_the_same_hour_is_updated() {
  new_database
  run tm pull defillama "${SLICE[@]}"
  fault '{"path": "/defillama/protocols", "times": 1, "status": 200, "body": "[{\"slug\": \"curve\", \"name\": \"Curve\", \"tvl\": 17000000000.5}]", "headers": {"Content-Type": "application/json"}}'
  TM_NOW=2024-03-13T05:45:00Z run tm pull defillama "${SLICE[@]}"
  expect_code 0
  expect_contains "$ERR" "0 inserted, 1 updated"
  expect_sql "SELECT value FROM metrics WHERE asset = 'curve' AND metric = 'TVL'" "17000000000.5"
  TM_NOW=2024-03-13T06:01:00Z run tm pull defillama "${SLICE[@]}"
  expect_sql "SELECT count(DISTINCT ts) FROM points" "2"
}

case_429_with_retry_after_then_success() {
  new_database
  fault '{"path": "/defillama/protocols", "times": 1, "status": 429, "headers": {"Retry-After": "1"}, "body": "Too Many Requests"}'
  run tm pull defillama "${SLICE[@]}"
  expect_code 0
  expect_eq "$(requests_to /defillama/protocols)" "2" "requests to /protocols"
  # The retry waited for Retry-After (a lower bound, so a slow machine cannot fail it).
  local gap
  gap=$(request_log | python3 -c "import json,sys; t=[r['at'] for r in json.load(sys.stdin) if r['path']=='/defillama/protocols']; print('ok' if t[1]-t[0] >= 0.9 else t[1]-t[0])")
  expect_eq "$gap" "ok" "wait before the retry"
  expect_sql "SELECT count(*) FROM points" "16"
  expect_sql "SELECT requests FROM pulls" "3"
}

case_five_500s_then_give_up() {
  new_database
  fault '{"path": "/defillama/*", "times": -1, "status": 500, "body": "Internal server error"}'
  run tm pull defillama "${SLICE[@]}" "${FAST_RETRY[@]}"
  expect_code 1
  expect_eq "$(requests_to /defillama/protocols)" "5" "attempts at /protocols"
  expect_eq "$(requests_to /defillama/v2/chains)" "5" "attempts at /v2/chains"
  expect_sql "SELECT status, requests, failed_requests FROM pulls" "failed|10|2"
  expect_sql "SELECT error FROM pulls" "GET /protocols: HTTP 500 (Internal server error)"
  expect_sql "SELECT count(*) FROM pull_errors" "2"
  expect_sql "SELECT count(*) FROM points" "0"
}

case_one_endpoint_failing_is_partial() {
  new_database
  fault '{"path": "/defillama/v2/chains", "times": -1, "status": 503, "body": "<html><body>503 Service Unavailable</body></html>", "headers": {"Content-Type": "text/html"}}'
  run tm pull defillama "${SLICE[@]}" "${FAST_RETRY[@]}"
  expect_code 3
  expect_sql "SELECT status FROM pulls" "partial"
  expect_sql "SELECT request || ' ' || error FROM pull_errors" "GET /v2/chains HTTP 503 (an HTML error page)"
  expect_sql "SELECT count(*) FROM metrics WHERE metric = 'TVL'" "10"
  expect_sql "SELECT count(*) FROM metrics WHERE metric = 'CHAIN_TVL'" "0"
}

case_truncated_json_writes_nothing_of_that_endpoint() {
  new_database
  fault '{"path": "/defillama/protocols", "times": -1, "cut": 3000}'
  fault '{"path": "/defillama/v2/chains", "times": -1, "cut": 200}'
  run tm pull defillama "${SLICE[@]}"
  expect_code 1
  expect_contains "$ERR" "GET /protocols: \$"
  expect_contains "$ERR" "invalid JSON"
  expect_contains "$ERR" "GET /v2/chains"
  expect_sql "SELECT count(*) FROM points" "0"
  expect_sql "SELECT count(*) FROM assets" "0"
  expect_sql "SELECT status FROM pulls" "failed"
  # invalid JSON is an answer, not a transport failure: no retries
  expect_eq "$(requests_to /defillama/protocols)" "1" "attempts"
}

case_truncated_transfer_is_retried() {
  new_database
  fault '{"path": "/defillama/protocols", "times": 1, "short_body": 500}'
  run tm pull defillama "${SLICE[@]}" "${FAST_RETRY[@]}"
  expect_code 0
  expect_eq "$(requests_to /defillama/protocols)" "2" "attempts"
  expect_sql "SELECT count(*) FROM points" "16"
}

case_wrong_shape_names_endpoint_and_field() {
  new_database
  fault '{"path": "/defillama/protocols", "times": -1, "status": 200, "body": "{\"message\": \"moved\"}"}'
  fault '{"path": "/defillama/v2/chains", "times": -1, "status": 200, "body": "[{\"name\": \"Ethereum\", \"tvl\": {\"usd\": 1}}]"}'
  run tm pull defillama "${SLICE[@]}"
  expect_code 1
  expect_contains "$ERR" 'GET /protocols: $: expected an array, found an object'
  expect_contains "$ERR" 'GET /v2/chains: $[0].tvl: expected a number, found an object'
  expect_sql "SELECT count(*) FROM points" "0"
  expect_sql "SELECT string_agg(error, ' | ' ORDER BY request) FROM pull_errors" \
    '$: expected an array, found an object | $[0].tvl: expected a number, found an object'
}

case_empty_200_is_retried() {
  new_database
  fault '{"path": "/defillama/v2/chains", "times": 2, "status": 200, "body": ""}'
  run tm pull defillama "${SLICE[@]}" "${FAST_RETRY[@]}"
  expect_code 0
  expect_eq "$(requests_to /defillama/v2/chains)" "3" "attempts"
}

case_404_is_not_retried() {
  new_database
  fault '{"path": "/defillama/v2/chains", "times": -1, "status": 404, "body": "Data not found"}'
  run tm pull defillama "${SLICE[@]}" "${FAST_RETRY[@]}"
  expect_code 3
  expect_eq "$(requests_to /defillama/v2/chains)" "1" "attempts"
  expect_sql "SELECT error FROM pull_errors" "HTTP 404 (Data not found)"
}

case_timeout() {
  new_database
  fault '{"path": "/defillama/v2/chains", "times": -1, "delay": 3}'
  run tm pull defillama "${SLICE[@]}" --timeout 1s --retries 1 --retry-delay 10ms
  expect_code 3
  expect_contains "$ERR" "timed out"
  expect_eq "$(requests_to /defillama/v2/chains)" "2" "attempts"
  expect_sql "SELECT count(*) FROM metrics WHERE metric = 'TVL'" "10"
}

case_body_over_the_limit() {
  new_database
  fault '{"path": "/defillama/protocols", "times": -1, "status": 200, "body": "'"$(head -c 1100000 /dev/zero | tr '\0' ' ')"'[]"}'
  run tm pull defillama "${SLICE[@]}" --max-body 1 --retry-delay 10ms
  expect_code 3
  expect_contains "$ERR" "larger than the 1 MiB limit"
  expect_eq "$(requests_to /defillama/protocols)" "1" "attempts"
}

case_connection_reset_is_retried() {
  new_database
  fault '{"path": "/defillama/protocols", "times": 2, "reset": true}'
  run tm pull defillama "${SLICE[@]}" "${FAST_RETRY[@]}"
  expect_code 0
  expect_eq "$(requests_to /defillama/protocols)" "3" "attempts"
}

case_api_key_never_leaks() {
  new_database
  local key="tmk3y-$$-MARKER"
  control alias "{\"from\": \"/pro/$key/api/\", \"to\": \"/defillama/\"}"
  DEFILLAMA_API_KEY="$key" TM_DEFILLAMA_PRO_URL="$FIXTURE_URL/pro" \
    run tm pull defillama "${SLICE[@]}" -v --record "$E2E_TMP/rec-key"
  expect_code 0
  # the pro host got the key in its path (that is where DefiLlama wants it) ...
  expect_eq "$(requests_to "/pro/$key/api/protocols")" "1" "pro requests"
  # ... and nothing tm wrote shows it
  expect_not_contains "$OUT$ERR" "$key" "stdout/stderr"
  expect_contains "$ERR" "/pro/***/api/protocols" "verbose log"
  expect_eq "$(grep -rl -- "$key" "$E2E_TMP/rec-key" | wc -l)" "0" "recorded files with the key"
  expect_eq "$(pg_dump -d "${TM_DATABASE_URL#dbname=}" | grep -c -- "$key")" "0" "database dump lines with the key"
  # a failing pro run stores its error without the key too
  fault "{\"path\": \"/pro/*\", \"times\": -1, \"status\": 401, \"body\": \"bad key $key\"}"
  DEFILLAMA_API_KEY="$key" TM_DEFILLAMA_PRO_URL="$FIXTURE_URL/pro" run tm pull defillama "${SLICE[@]}"
  expect_code 1
  expect_not_contains "$OUT$ERR" "$key" "stdout/stderr"
  expect_eq "$(pg_dump -d "${TM_DATABASE_URL#dbname=}" | grep -c -- "$key")" "0" "database dump lines with the key"
}

case_record_then_replay_without_network() {
  new_database
  run tm pull defillama --rate-limit 6000 --record "$E2E_TMP/rec"
  expect_code 0
  new_database
  local before
  before=$(request_log | python3 -c "import json,sys; print(len(json.load(sys.stdin)))")
  run tm pull defillama --replay "$E2E_TMP/rec"
  expect_code 0
  expect_sql "SELECT count(*) FROM points" "$FULL_POINTS"
  expect_eq "$(request_log | python3 -c "import json,sys; print(len(json.load(sys.stdin)))")" "$before" "requests during replay"
  run tm pull defillama --replay "$E2E_TMP/nowhere"
  expect_code 2
}

case_concurrent_pull_of_the_same_source_exits_5() {
  new_database
  fault '{"path": "/defillama/protocols", "times": 1, "delay": 3}'
  tm pull defillama "${SLICE[@]}" >"$E2E_TMP/first.out" 2>"$E2E_TMP/first.err" &
  local first=$!
  for _ in $(seq 100); do
    [ "$(sql "SELECT count(*) FROM pulls WHERE status = 'running'")" = 1 ] && break
    sleep 0.05
  done
  run tm pull defillama "${SLICE[@]}"
  expect_code 5
  expect_contains "$ERR" "already being pulled by pull 1"
  expect_one_line "$ERR"
  wait "$first"
  expect_eq "$?" "0" "first pull's exit code"
  expect_sql "SELECT count(*) FROM pulls" "1"
  expect_sql "SELECT count(*) FROM points" "16"
}

case_killed_pull_is_closed_by_the_next_run() {
  new_database
  fault '{"path": "/defillama/protocols", "times": 1, "delay": 5}'
  "$TM_BIN/tm" pull defillama "${SLICE[@]}" >/dev/null 2>&1 & # not the tm function: $! must be tm itself
  local pid=$!
  for _ in $(seq 100); do
    [ "$(sql "SELECT count(*) FROM pulls WHERE status = 'running'")" = 1 ] && break
    sleep 0.05
  done
  kill -9 "$pid"
  wait "$pid" 2>/dev/null
  expect_sql "SELECT count(*) FROM points" "0"
  run tm pull defillama "${SLICE[@]}"
  expect_code 0
  expect_sql "SELECT string_agg(status, ' ' ORDER BY pull_id) FROM pulls" "failed ok"
  expect_sql "SELECT error LIKE 'interrupted%' FROM pulls WHERE pull_id = 1" "t"
}

case_json_logs() {
  new_database
  run tm pull defillama "${SLICE[@]}" --log-format json
  expect_code 0
  # Every line an object with the four fields, and the run's summary among them: an empty
  # stderr (no logging at all) fails as surely as a line that is not JSON.
  local bad
  bad=$(printf '%s\n' "$ERR" | python3 -c "
import json, sys
lines = [json.loads(l) for l in sys.stdin if l.strip()]
assert lines, 'no log line at all'
for l in lines:
    assert set(l) == {'ts', 'program', 'level', 'msg'}, l
assert any(l['level'] == 'info' and l['msg'].startswith('pull 1 of defillama ok') for l in lines), 'no summary line'
print('ok')" 2>&1)
  expect_eq "$bad" "ok" "every log line is JSON, the summary among them"
}

case_pro_tier_pulls_every_family_from_the_pro_host() {
  new_database
  local key="pro-$$-key"
  pro_aliases "$key"
  local config="$TM_SOURCE_DIR/tests/fixtures/config/defillama-backfill.csv"
  DEFILLAMA_API_KEY="$key" TM_DEFILLAMA_PRO_URL="$FIXTURE_URL/pro" run tm pull defillama --rate-limit 6000 --config "$config"
  # abc-pool has a history fixture only: no live answer has it, and the pull says so
  expect_code 3
  expect_sql "SELECT asset || ': ' || error FROM pull_errors" "abc-pool: unknown DefiLlama asset 'abc-pool' (none of the 36 known is close)"
  expect_not_contains "$ERR" "skipping"
  # what the config names (protocols uniswap-v3, curve-dex; chain Ethereum; USDT; a pool; bridge 80)
  for metric in CHAIN_TVL FEES_24H CHAIN_FEES_24H REVENUE_24H HOLDERS_REVENUE_24H DEX_VOLUME_24H \
      STABLECOIN_SUPPLY CHAIN_STABLECOIN_SUPPLY BRIDGE_VOLUME_24H BRIDGE_VOLUME_7D BRIDGE_VOLUME_30D \
      APY APY_BASE POOL_TVL UTILIZATION INFLOW OUTFLOW; do
    expect_eq "$(sql "SELECT count(*) > 0 FROM metrics WHERE metric = '$metric'")" "t" "points of $metric"
  done
  # net flow +1,234,567.5 is an inflow; -250,000 an outflow; both sides stored every day
  expect_sql "SELECT asset || ' ' || metric || ' ' || value || ' ' || ts::date FROM metrics WHERE metric IN ('INFLOW', 'OUTFLOW') ORDER BY 1" \
    "curve-dex INFLOW 0 2024-03-12
curve-dex OUTFLOW 250000 2024-03-12
uniswap-v3 INFLOW 1234567.5 2024-03-12
uniswap-v3 OUTFLOW 0 2024-03-12"
  # utilization from the pro /poolsBorrow: 1.6e9 / 2e9
  expect_sql "SELECT value FROM metrics WHERE metric = 'UTILIZATION'" "0.8"
  # every request went to the pro host, none to a free one
  local free
  free=$(request_log | python3 -c "import json,sys; print(sum(1 for r in json.load(sys.stdin) if not r['path'].startswith('/pro/')))")
  expect_eq "$free" "0" "requests to free hosts"
  DEFILLAMA_API_KEY="$key" TM_DEFILLAMA_PRO_URL="$FIXTURE_URL/pro" run tm pull defillama --rate-limit 6000 --config "$config"
  expect_code 3
  expect_contains "$ERR" " 0 inserted, 0 updated"
  # derivatives (pro-only) for everything the overview has
  DEFILLAMA_API_KEY="$key" TM_DEFILLAMA_PRO_URL="$FIXTURE_URL/pro" \
    run tm pull defillama --rate-limit 6000 --metrics DERIVATIVES_VOLUME_24H,CHAIN_DERIVATIVES_VOLUME_24H
  expect_code 0
  expect_sql "SELECT count(*) > 0 FROM metrics WHERE metric = 'DERIVATIVES_VOLUME_24H'" "t"
  expect_sql "SELECT count(*) > 0 FROM metrics WHERE metric = 'CHAIN_DERIVATIVES_VOLUME_24H'" "t"
}

case_faults_per_family_give_a_partial_pull() {
  new_database
  fault '{"path": "/defillama-stablecoins/stablecoins", "times": -1, "status": 500, "body": "Internal server error"}'
  fault '{"path": "/defillama-yields/pools", "times": 1, "status": 429, "body": "{\"message\": \"Too many requests\"}"}'
  fault '{"path": "/defillama/overview/dexs", "times": -1, "cut": 500}'
  fault '{"path": "/defillama/overview/open-interest", "times": -1, "status": 200, "body": "{\"protocols\": {}}"}'
  run tm pull defillama --rate-limit 6000 "${FAST_RETRY[@]}"
  expect_code 3
  expect_sql "SELECT string_agg(request, ', ' ORDER BY request) FROM pull_errors" \
    "GET /overview/dexs, GET /overview/open-interest, GET /stablecoins"
  expect_sql "SELECT error FROM pull_errors WHERE request = 'GET /overview/open-interest'" \
    '$.protocols: expected an array, found an object'
  expect_sql "SELECT count(*) FROM metrics WHERE metric IN ('STABLECOIN_SUPPLY', 'DEX_VOLUME_24H', 'CHAIN_DEX_VOLUME_24H', 'OPEN_INTEREST')" "0"
  # the 429 was retried and the pools landed, like every other family
  expect_sql "SELECT count(*) FROM metrics WHERE metric = 'APY'" "2"
  expect_sql "SELECT count(*) FROM metrics WHERE metric = 'FEES_24H'" "4"
}

case_one_chain_is_one_asset_across_endpoints() {
  new_database
  run tm pull defillama --rate-limit 6000
  # "BSC" on /v2/chains, "bsc" in fee breakdowns, "BSC" on /stablecoinchains: one asset id
  expect_sql "SELECT string_agg(metric, ' ' ORDER BY metric) FROM metrics WHERE asset = 'bsc'" \
    "CHAIN_AGGREGATOR_VOLUME_24H CHAIN_DEX_VOLUME_24H CHAIN_FEES_24H CHAIN_HOLDERS_REVENUE_24H CHAIN_OPEN_INTEREST CHAIN_OPTIONS_NOTIONAL_24H CHAIN_OPTIONS_PREMIUM_24H CHAIN_STABLECOIN_SUPPLY CHAIN_TVL"
  # "xDai" and "Gnosis" alike
  expect_sql "SELECT count(DISTINCT metric) > 1 FROM metrics WHERE asset = 'xdai'" "t"
  # /protocols says "Binance" (the old label): the protocol rows name the same chain id
  expect_sql "SELECT count(*) > 0 FROM assets WHERE kind = 'protocol' AND extra->'chains' ? 'bsc'" "t"
  expect_sql "SELECT count(*) FROM assets WHERE kind = 'protocol' AND extra->'chains' ? 'Binance'" "0"
}

case_selection_flags() {
  new_database
  run tm pull defillama --rate-limit 6000 --metrics FEES_24H,CHAIN_TVL --assets uniswap-v3,ethereum
  expect_code 0
  # "ethereum" is a chain and also a fee-earning entry of /overview/fees: both match
  expect_sql "SELECT string_agg(asset || ':' || metric, ' ' ORDER BY asset, metric) FROM metrics" \
    "ethereum:CHAIN_TVL ethereum:FEES_24H uniswap-v3:FEES_24H"
  expect_eq "$(requests_to /defillama/protocols)" "0" "requests for families not asked for"
  run tm pull defillama --metrics FEES_24 --rate-limit 6000
  expect_code 2
  expect_contains "$ERR" "unknown DefiLlama metric 'FEES_24'; did you mean 'FEES_24H'?"
  new_database
  run tm pull defillama --rate-limit 6000 --metrics TVL --top 3
  expect_sql "SELECT string_agg(asset, ' ' ORDER BY value DESC) FROM metrics" "curve makerdao aave"
  printf 'kind,asset,metrics\nprotocl,aave,*\n' >"$E2E_TMP/bad.csv"
  run tm pull defillama --config "$E2E_TMP/bad.csv"
  expect_code 2
  expect_contains "$ERR" "bad.csv:2: unknown kind 'protocl'"
  run tm pull defillama --config "$E2E_TMP/missing.csv"
  expect_code 2
}

case_names_no_list_has_are_never_silent() {
  new_database
  run tm pull defillama --rate-limit 6000 --metrics TVL --assets curve,no-such-protocol,curvee
  expect_code 3
  expect_sql "SELECT string_agg(asset || ':' || metric, ' ') FROM metrics" "curve:TVL"
  expect_sql "SELECT string_agg(asset || ': ' || error, ' | ' ORDER BY asset) FROM pull_errors" \
    "curvee: unknown DefiLlama asset 'curvee'; closest: curve | no-such-protocol: unknown DefiLlama asset 'no-such-protocol' (none of the 10 known is close)"
  expect_contains "$ERR" "unknown DefiLlama asset 'no-such-protocol'"
  # nothing named exists: exit 2, nothing stored, not even the lists' assets rows
  new_database
  run tm pull defillama --rate-limit 6000 --metrics TVL --assets no-such-protocol
  expect_code 2
  expect_sql "SELECT count(*) || ' ' || (SELECT count(*) FROM assets) FROM points" "0 0"
  expect_sql "SELECT status FROM pulls" "failed"
  # a config row no answer has is named too
  new_database
  printf 'kind,asset,metrics\nprotocol,curve,TVL\nprotocol,makerdoa,TVL\n' >"$E2E_TMP/typo.csv"
  run tm pull defillama --rate-limit 6000 --config "$E2E_TMP/typo.csv" --metrics TVL
  expect_code 3
  expect_sql "SELECT asset || ': ' || error FROM pull_errors" "makerdoa: unknown DefiLlama asset 'makerdoa'; closest: makerdao"
}

case_ids_that_collide_across_kinds() {
  new_database
  # stablecoin ids and bridge ids are both small integers: a bare number is refused
  run tm pull defillama --rate-limit 6000 --assets 1
  expect_code 2
  expect_contains "$ERR" "--assets 1 is ambiguous: DefiLlama stablecoin ids and bridge ids are both numbers; write stablecoin:1 or bridge:1"
  expect_sql "SELECT count(*) FROM pulls" "0"
  run tm pull defillama --rate-limit 6000 --assets stablecoin:1,chain:ethereum
  expect_code 0
  expect_sql "SELECT string_agg(DISTINCT s.kind || ':' || s.asset, ' ' ORDER BY s.kind || ':' || s.asset) FROM series s JOIN points p USING (series_id)" \
    "chain:ethereum stablecoin:1"
}

run_cases
