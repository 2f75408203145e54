#!/usr/bin/env bash
# tm serve: every endpoint answers JSON (or Prometheus text), bad parameters get 400 with a JSON
# error, unknown things 404, and SIGTERM stops it cleanly.
. "$(dirname "$0")/lib.sh"
start_fixture_server
export TM_NOW=2024-03-13T05:17:00Z
SERVE_PID=""
stop_serve() { if [ -n "$SERVE_PID" ]; then kill "$SERVE_PID" 2>/dev/null; wait "$SERVE_PID" 2>/dev/null; SERVE_PID=""; fi; }
extra_cleanup() { stop_serve; }

start_serve() {
  SERVE_PORT=$(python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
  # The binary itself, not the tm() function: a function in the background is a subshell, and
  # its pid is not the server's.
  stop_serve
  "$TM_BIN/tm" serve --listen "127.0.0.1:$SERVE_PORT" "$@" >"$E2E_TMP/serve.out" 2>"$E2E_TMP/serve.err" &
  SERVE_PID=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$SERVE_PORT/health" >/dev/null && return 0; sleep 0.05; done
  fail "tm serve did not start: $(cat "$E2E_TMP/serve.err")"
}
get() { # get PATH → BODY and STATUS
  BODY=$(curl -s --max-time 20 -o - -w '\n%{http_code}' "http://127.0.0.1:$SERVE_PORT$1")
  STATUS=${BODY##*$'\n'}
  BODY=${BODY%$'\n'*}
}
json_ok() { printf '%s' "$BODY" | python3 -c "import json,sys; d=json.load(sys.stdin); $1" || fail "$2: $BODY"; }

case_endpoints_answer() {
  new_database
  tm pull defillama -q --rate-limit 100000 || fail "pull"
  sql "INSERT INTO alerts (rule, series_id, status, severity, opened_at, last_seen_at, value, baseline, message)
       SELECT 'tvl_drop', series_id, 'open', 'critical', '2024-03-13T05:00Z', '2024-03-13T05:00Z', 75, 100, 'TVL down'
       FROM series WHERE metric = 'TVL' LIMIT 1" >/dev/null
  start_serve
  get /health
  expect_eq "$STATUS" 200 "/health"
  json_ok "assert d['status'] == 'ok' and d['database'] == 'reachable'" "/health"
  get /protocols
  expect_eq "$STATUS" 200 "/protocols"
  json_ok "assert len(d) > 0 and all(r['source'] == 'defillama' for r in d) and any(r['metric'] == 'TVL' for r in d)" "/protocols"
  local slug
  slug=$(sql "SELECT asset FROM series WHERE metric = 'TVL' ORDER BY asset LIMIT 1")
  get "/protocols/$slug/history?days=30"
  expect_eq "$STATUS" 200 "history"
  json_ok "assert len(d) >= 1 and all(r['asset'] == '$slug' for r in d)" "history"
  get "/alerts?status=open"
  json_ok "assert len(d) == 1 and d[0]['rule'] == 'tvl_drop' and d[0]['value'] == 75" "/alerts"
  get "/series?source=defillama&metric=TVL&limit=2"
  json_ok "assert len(d) == 2 and d[0]['metric'] == 'TVL'" "/series"
  get /metrics
  expect_eq "$STATUS" 200 "/metrics"
  expect_contains "$BODY" 'tm_feed_health{source="defillama"} 0'
  expect_contains "$BODY" "tm_up 1"
  kill -TERM "$SERVE_PID"
  local code=0
  wait "$SERVE_PID" || code=$?
  expect_eq "$code" 0 "exit code after SIGTERM"
  SERVE_PID=""
  expect_contains "$(cat "$E2E_TMP/serve.err")" "stopped"
}

case_bad_parameters_are_400() {
  new_database
  tm pull defillama -q --rate-limit 100000 || fail "pull"
  start_serve --max-rows 50
  for path in "/protocols/aave/history?days=0" "/protocols/aave/history?days=abc" "/alerts?status=maybe" \
              "/series?limit=51" "/series?source=nowhere" "/series?metric=NOPE"; do
    get "$path"
    expect_eq "$STATUS" 400 "$path"
    json_ok "assert 'error' in d" "$path"
  done
  get "/protocols/no-such-protocol/history"
  expect_eq "$STATUS" 404 "unknown protocol"
  get "/no/such/endpoint"
  expect_eq "$STATUS" 404 "unknown endpoint"
  json_ok "assert d['error'].startswith('no such endpoint')" "404 body"
  get "/series?limit=50"
  json_ok "assert len(d) == 50" "bounded rows"
  stop_serve
}

case_bad_listen_and_unreachable_database() {
  new_database
  run tm serve --listen nowhere
  expect_code 2
  expect_contains "$ERR" "expected HOST:PORT"
  TM_DATABASE_URL_READER="dbname=tm_no_such_$$" run tm serve --listen 127.0.0.1:1
  expect_code 4
}

run_cases
