#!/usr/bin/env bash
# tm pull defillama against recorded responses: idempotency, the journal, faults, secrets.
. "$(dirname "$0")/lib.sh"
start_fixture_server
export TM_NOW=2024-03-13T05:17:00Z # every pull of this file lands in the 05:00 bucket
FAST_RETRY=(--retry-delay 10ms)

case_pull_twice_is_idempotent() {
  new_database
  run tm pull defillama
  expect_code 0
  expect_sql "SELECT count(*) FROM points" "16"
  expect_sql "SELECT count(DISTINCT ts) || ' ' || min(ts) FROM points" "1 2024-03-13 05:00:00+00"
  expect_sql "SELECT value FROM metrics WHERE asset = 'curve' AND metric = 'TVL'" "16890071630.01999"
  expect_sql "SELECT count(*) FROM assets WHERE kind = 'protocol'" "10"
  expect_sql "SELECT count(*) FROM assets WHERE kind = 'chain'" "6"
  run tm pull defillama
  expect_code 0
  expect_contains "$ERR" "0 inserted, 0 updated, 16 unchanged"
  expect_sql "SELECT count(*) FROM points" "16"
  expect_sql "SELECT string_agg(status || ':' || points_inserted || ':' || points_updated || ':' || requests, ' ' ORDER BY pull_id) FROM pulls" \
    "ok:16:0:2 ok:0:0:2"
  expect_sql "SELECT count(*) FROM pulls WHERE finished_at IS NULL" "0"
  # gzip was asked for and a tm User-Agent sent
  local log
  log=$(request_log)
  expect_contains "$log" '"User-Agent": "tm/'
  expect_contains "$log" '"Accept-Encoding": "'
}

case_changed_value_in_the_same_hour_is_updated() {
  new_database
  run tm pull defillama
  fault '{"path": "/defillama/protocols", "times": 1, "status": 200, "body": "[{\"slug\": \"curve\", \"name\": \"Curve\", \"tvl\": 17000000000.5}]", "headers": {"Content-Type": "application/json"}}'
  TM_NOW=2024-03-13T05:45:00Z run tm pull defillama
  expect_code 0
  expect_contains "$ERR" "0 inserted, 1 updated"
  expect_sql "SELECT value FROM metrics WHERE asset = 'curve' AND metric = 'TVL'" "17000000000.5"
  TM_NOW=2024-03-13T06:01:00Z run tm pull defillama
  expect_sql "SELECT count(DISTINCT ts) FROM points" "2"
}

case_429_with_retry_after_then_success() {
  new_database
  fault '{"path": "/defillama/protocols", "times": 1, "status": 429, "headers": {"Retry-After": "1"}, "body": "Too Many Requests"}'
  run tm pull defillama
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
  run tm pull defillama "${FAST_RETRY[@]}"
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
  run tm pull defillama "${FAST_RETRY[@]}"
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
  run tm pull defillama
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
  run tm pull defillama "${FAST_RETRY[@]}"
  expect_code 0
  expect_eq "$(requests_to /defillama/protocols)" "2" "attempts"
  expect_sql "SELECT count(*) FROM points" "16"
}

case_wrong_shape_names_endpoint_and_field() {
  new_database
  fault '{"path": "/defillama/protocols", "times": -1, "status": 200, "body": "{\"message\": \"moved\"}"}'
  fault '{"path": "/defillama/v2/chains", "times": -1, "status": 200, "body": "[{\"name\": \"Ethereum\", \"tvl\": {\"usd\": 1}}]"}'
  run tm pull defillama
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
  run tm pull defillama "${FAST_RETRY[@]}"
  expect_code 0
  expect_eq "$(requests_to /defillama/v2/chains)" "3" "attempts"
}

case_404_is_not_retried() {
  new_database
  fault '{"path": "/defillama/v2/chains", "times": -1, "status": 404, "body": "Data not found"}'
  run tm pull defillama "${FAST_RETRY[@]}"
  expect_code 3
  expect_eq "$(requests_to /defillama/v2/chains)" "1" "attempts"
  expect_sql "SELECT error FROM pull_errors" "HTTP 404 (Data not found)"
}

case_timeout() {
  new_database
  fault '{"path": "/defillama/v2/chains", "times": -1, "delay": 3}'
  run tm pull defillama --timeout 1s --retries 1 "${FAST_RETRY[@]}"
  expect_code 3
  expect_contains "$ERR" "timed out"
  expect_eq "$(requests_to /defillama/v2/chains)" "2" "attempts"
  expect_sql "SELECT count(*) FROM metrics WHERE metric = 'TVL'" "10"
}

case_body_over_the_limit() {
  new_database
  fault '{"path": "/defillama/protocols", "times": -1, "status": 200, "body": "'"$(head -c 1100000 /dev/zero | tr '\0' ' ')"'[]"}'
  run tm pull defillama --max-body 1 "${FAST_RETRY[@]}"
  expect_code 3
  expect_contains "$ERR" "larger than the 1 MiB limit"
  expect_eq "$(requests_to /defillama/protocols)" "1" "attempts"
}

case_connection_reset_is_retried() {
  new_database
  fault '{"path": "/defillama/protocols", "times": 2, "reset": true}'
  run tm pull defillama "${FAST_RETRY[@]}"
  expect_code 0
  expect_eq "$(requests_to /defillama/protocols)" "3" "attempts"
}

case_api_key_never_leaks() {
  new_database
  local key="tmk3y-$$-MARKER"
  control alias "{\"from\": \"/pro/$key/api/\", \"to\": \"/defillama/\"}"
  DEFILLAMA_API_KEY="$key" TM_DEFILLAMA_PRO_URL="$FIXTURE_URL/pro" \
    run tm pull defillama -v --record "$E2E_TMP/rec-key"
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
  DEFILLAMA_API_KEY="$key" TM_DEFILLAMA_PRO_URL="$FIXTURE_URL/pro" run tm pull defillama
  expect_code 1
  expect_not_contains "$OUT$ERR" "$key" "stdout/stderr"
  expect_eq "$(pg_dump -d "${TM_DATABASE_URL#dbname=}" | grep -c -- "$key")" "0" "database dump lines with the key"
}

case_record_then_replay_without_network() {
  new_database
  run tm pull defillama --record "$E2E_TMP/rec"
  expect_code 0
  new_database
  TM_DEFILLAMA_URL="$FIXTURE_URL/defillama" run tm pull defillama --replay "$E2E_TMP/rec"
  local before
  before=$(requests_to /defillama/protocols)
  expect_code 0
  expect_sql "SELECT count(*) FROM points" "16"
  expect_eq "$(requests_to /defillama/protocols)" "$before" "requests during replay"
  run tm pull defillama --replay "$E2E_TMP/nowhere"
  expect_code 2
}

case_concurrent_pull_of_the_same_source_exits_5() {
  new_database
  fault '{"path": "/defillama/protocols", "times": 1, "delay": 3}'
  tm pull defillama >"$E2E_TMP/first.out" 2>"$E2E_TMP/first.err" &
  local first=$!
  for _ in $(seq 100); do
    [ "$(sql "SELECT count(*) FROM pulls WHERE status = 'running'")" = 1 ] && break
    sleep 0.05
  done
  run tm pull defillama
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
  "$TM_BIN/tm" pull defillama >/dev/null 2>&1 & # not the tm function: $! must be tm itself
  local pid=$!
  for _ in $(seq 100); do
    [ "$(sql "SELECT count(*) FROM pulls WHERE status = 'running'")" = 1 ] && break
    sleep 0.05
  done
  kill -9 "$pid"
  wait "$pid" 2>/dev/null
  expect_sql "SELECT count(*) FROM points" "0"
  run tm pull defillama
  expect_code 0
  expect_sql "SELECT string_agg(status, ' ' ORDER BY pull_id) FROM pulls" "failed ok"
  expect_sql "SELECT error LIKE 'interrupted%' FROM pulls WHERE pull_id = 1" "t"
}

case_json_logs() {
  new_database
  run tm pull defillama --log-format json
  expect_code 0
  local bad
  bad=$(printf '%s\n' "$ERR" | python3 -c "import json,sys; [json.loads(l) for l in sys.stdin if l.strip()]; print('ok')" 2>&1)
  expect_eq "$bad" "ok" "every log line is JSON"
}

run_cases
