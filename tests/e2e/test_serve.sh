#!/usr/bin/env bash
# tm serve: every endpoint answers JSON (or Prometheus text) as its OpenAPI description says, bad
# parameters get 400 with a JSON error, unknown things 404, other methods 405; idle and stalled
# clients cannot hold up the others; database connections are pooled and survive a restart;
# /metrics answers while the database is down; SIGTERM stops it cleanly.
. "$(dirname "$0")/lib.sh"
start_fixture_server
export TM_NOW=2024-03-13T05:17:00Z
SERVE_PID=""
PG2=""
stop_serve() { if [ -n "$SERVE_PID" ]; then kill "$SERVE_PID" 2>/dev/null; wait "$SERVE_PID" 2>/dev/null; SERVE_PID=""; fi; }
extra_cleanup() {
  stop_serve
  if [ -n "$PG2" ]; then "$TM_SOURCE_DIR/tests/support/pg_cluster.sh" stop "$PG2" >/dev/null 2>&1; fi
}

# start_serve [--ipv6] [tm serve flags]: on a free port of 127.0.0.1 (or ::1); SERVE_URL is its
# address.
start_serve() {
  local host=127.0.0.1 url_host=127.0.0.1
  if [ "${1:-}" = --ipv6 ]; then host=::1 url_host='[::1]'; shift; fi
  SERVE_PORT=$(python3 -c "import socket; s=socket.socket(socket.AF_INET6 if ':' in '$host' else socket.AF_INET); s.bind(('$host', 0)); print(s.getsockname()[1])")
  SERVE_URL="http://$url_host:$SERVE_PORT"
  # The binary itself, not the tm() function: a function in the background is a subshell, and
  # its pid is not the server's.
  stop_serve
  "$TM_BIN/tm" serve --listen "$url_host:$SERVE_PORT" "$@" >"$E2E_TMP/serve.out" 2>"$E2E_TMP/serve.err" &
  SERVE_PID=$!
  for _ in $(seq 100); do curl -gsf "$SERVE_URL/health" >/dev/null && return 0; sleep 0.05; done
  fail "tm serve did not start: $(cat "$E2E_TMP/serve.err")"
}
get() { # get PATH [curl flags] → BODY, STATUS and the response headers in $E2E_TMP/headers
  local path=$1
  shift
  BODY=$(curl -gs --max-time 20 -D "$E2E_TMP/headers" -o - -w '\n%{http_code}' "$@" "$SERVE_URL$path")
  STATUS=${BODY##*$'\n'}
  BODY=${BODY%$'\n'*}
}
header() { grep -i "^$1:" "$E2E_TMP/headers" | cut -d: -f2- | tr -d '\r' | sed 's/^ //'; }
json_ok() { printf '%s' "$BODY" | python3 -c "import json,sys; d=json.load(sys.stdin); $1" || fail "$2: $BODY"; }
pull_and_alert() {
  tm pull defillama -q --rate-limit 100000 || fail "pull"
  sql "INSERT INTO alerts (rule, series_id, status, severity, opened_at, last_seen_at, value, baseline, message)
       SELECT 'tvl_drop', series_id, 'open', 'critical', '2024-03-13T05:00Z', '2024-03-13T05:00Z', 75, 100, 'TVL down'
       FROM series WHERE metric = 'TVL' LIMIT 1" >/dev/null
}

case_endpoints_answer() {
  new_database
  pull_and_alert
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
  # (timeout: a form wrongly accepted would serve forever)
  for bad in nowhere "[::1]" "::1:8080" "[::1]:0" "[nothost]:80" "127.0.0.1:http" ":8080"; do
    run timeout 20 "$TM_BIN/tm" serve --listen "$bad"
    expect_code 2
    expect_contains "$ERR" "expected HOST:PORT or [IPV6]:PORT" "--listen $bad"
    expect_one_line "$ERR"
  done
  TM_DATABASE_URL_READER="dbname=tm_no_such_$$" run tm serve --listen 127.0.0.1:1
  expect_code 4
  # A port another server holds is refused, not shared.
  start_serve
  run timeout 20 "$TM_BIN/tm" serve --listen "127.0.0.1:$SERVE_PORT"
  expect_code 2
  expect_contains "$ERR" "cannot listen on 127.0.0.1:$SERVE_PORT"
  stop_serve
}

case_listens_on_ipv6() {
  if ! python3 -c "import socket; socket.socket(socket.AF_INET6).bind(('::1', 0))" 2>/dev/null; then
    echo "    skipped: this machine has no ::1" >&2
    return 0
  fi
  new_database
  start_serve --ipv6
  get /health
  expect_eq "$STATUS" 200 "/health over IPv6"
  expect_contains "$(cat "$E2E_TMP/serve.err")" "listening on http://[::1]:$SERVE_PORT"
  stop_serve
}

# 100 connections that stall (silent, or with a head that never ends) while 20 clients ask
# /health: every answer comes within 2 s (a generous bound; the benchmark measures the real
# latency). cpp-httplib's own pool gave each stalled connection a thread for 5 s, so /health
# waited behind them all.
case_idle_connections_do_not_stall_the_others() {
  new_database
  start_serve
  if python3 "$TM_SOURCE_DIR/tests/support/serve_load.py" idle --port "$SERVE_PORT" --idle 100 --clients 20 \
       --seconds 3 --bound 2 >"$E2E_TMP/load.out" 2>"$E2E_TMP/load.err"; then
    echo "    $(cat "$E2E_TMP/load.out")" >&2
  else
    fail "with 100 stalled connections: $(cat "$E2E_TMP/load.out" "$E2E_TMP/load.err")"
  fi
  get /health
  expect_eq "$STATUS" 200 "/health after the load"
  stop_serve
}

case_idle_and_unfinished_connections_are_closed() {
  new_database
  start_serve --idle-timeout 1
  python3 "$TM_SOURCE_DIR/tests/support/serve_load.py" closes --port "$SERVE_PORT" --within 15 >/dev/null \
    || fail "a connection without a request stayed open past --idle-timeout 1"
  # A head that never ends is closed after the 10 s request timeout, whatever --idle-timeout says.
  python3 "$TM_SOURCE_DIR/tests/support/serve_load.py" closes --port "$SERVE_PORT" --within 40 --partial >/dev/null \
    || fail "a connection with an unfinished request head stayed open"
  stop_serve
  run timeout 20 "$TM_BIN/tm" serve --idle-timeout 0
  expect_code 2
}

case_keep_alive_and_pipelined_requests() {
  new_database
  start_serve
  # Two requests in one write on one connection: two answers, in order, then the close asked for.
  local answers
  answers=$(python3 - "$SERVE_PORT" <<'PY'
import re, socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\nGET /nothing HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
data = b""
while chunk := s.recv(65536):
    data += chunk
print(" ".join(re.findall(r"HTTP/1\.1 (\d{3}) ", data.decode())))
PY
)
  expect_eq "$answers" "200 404" "statuses of two pipelined requests"
  get /health
  expect_eq "$(header Keep-Alive)" "timeout=60, max=1000" "Keep-Alive header (the limits tm serve keeps)"
  stop_serve
}

case_read_only_methods_and_pages() {
  new_database
  tm pull defillama -q --rate-limit 100000 || fail "pull"
  start_serve
  for method in POST PUT DELETE PATCH OPTIONS; do
    get /protocols -X "$method" --data 'x=1'
    expect_eq "$STATUS" 405 "$method /protocols"
    expect_eq "$(header Allow)" "GET, HEAD" "Allow of $method /protocols"
    json_ok "assert 'read-only' in d['error']" "$method body"
  done
  get /no/such/endpoint -X POST
  expect_eq "$STATUS" 404 "POST to an unknown path"
  get /health -I
  expect_eq "$STATUS" 200 "HEAD /health"

  # Following rel="next" from a small page gives exactly the whole list, for both paged endpoints.
  local slug
  slug=$(sql "SELECT asset FROM series WHERE metric = 'TVL' ORDER BY asset LIMIT 1")
  sql "INSERT INTO points (series_id, ts, value)
       SELECT series_id, '2024-03-01'::timestamptz - d * interval '1 day', 1000 + d
       FROM series, generate_series(1, 10) d WHERE asset = '$slug' AND metric = 'TVL'" >/dev/null
  python3 - "$SERVE_URL" "$slug" <<'PY' || fail "paging through /protocols and a history"
import json, re, sys, urllib.request
base, slug = sys.argv[1:]
def fetch(path):
    with urllib.request.urlopen(base + path, timeout=20) as r:
        return json.load(r), r.headers.get("Link")
for whole_path, first_page, size in (("/protocols?limit=10000", "/protocols?limit=2", 2),
                                     (f"/protocols/{slug}/history?days=3650&limit=10000",
                                      f"/protocols/{slug}/history?days=3650&limit=3", 3)):
    whole, link = fetch(whole_path)
    assert link is None, (whole_path, link)
    assert len(whole) > 2 * size, (whole_path, len(whole))
    rows, path, pages = [], first_page, 0
    while path:
        page, link = fetch(path)
        assert len(page) <= size, (path, len(page))
        rows += page
        pages += 1
        path = None
        if link:
            m = re.fullmatch(r'<(/[^>]*)>; rel="next"', link)
            assert m, link
            path = m.group(1)
        else:
            assert len(page) < size or not page, (path, link)
    assert rows == whole, (first_page, len(rows), len(whole))
    assert pages == len(whole) // size + 1, (first_page, pages)
PY
  get "/protocols?limit=2"
  expect_eq "$(header Link)" '</protocols?limit=2&offset=2>; rel="next"' "Link of the first page"
  get "/protocols?limit=1&metric=TVL"
  expect_eq "$(header Link)" '</protocols?metric=TVL&limit=1&offset=1>; rel="next"' "Link keeps the other parameters"
  get "/protocols/$slug/history?limit=1&offset=1&days=3650"
  expect_eq "$(header Link)" "</protocols/$slug/history?days=3650&limit=1&offset=2>; rel=\"next\"" "Link of a history page"
  get "/protocols?limit=1&metric=TVL%26x%3D1"
  expect_eq "$STATUS" 400 "an unknown metric"
  json_ok "assert 'unknown metric' in d['error']" "unknown metric"
  stop_serve
}

case_answers_match_the_openapi_description() {
  if ! /usr/bin/python3 -c "import jsonschema" 2>/dev/null; then
    fail "python3-jsonschema is missing (apt-get install python3-jsonschema; scripts/test installs it)"
    return
  fi
  new_database
  pull_and_alert
  start_serve
  local slug
  slug=$(sql "SELECT asset FROM series WHERE metric = 'TVL' ORDER BY asset LIMIT 1")
  /usr/bin/python3 "$TM_SOURCE_DIR/tests/support/check_openapi.py" --base "$SERVE_URL" --slug "$slug" \
    --spec "$TM_SOURCE_DIR/lib/tm/serve/openapi.json" >"$E2E_TMP/openapi.out" 2>&1 \
    || fail "answers against the OpenAPI description: $(cat "$E2E_TMP/openapi.out")"
  stop_serve
}

# The database goes away under a running server: /metrics still answers 200 (tm_up 0 and what
# tm serve knows of itself), /health and the data endpoints 503, as described.
case_metrics_answer_while_the_database_is_down() {
  new_database
  pull_and_alert
  start_serve
  get /metrics
  expect_contains "$BODY" "tm_up 1"
  psql -qX -d postgres -c "DROP DATABASE ${TM_DATABASE_URL#dbname=} WITH (FORCE)" >/dev/null
  get /metrics
  expect_eq "$STATUS" 200 "/metrics with the database gone"
  expect_contains "$BODY" "tm_up 0"
  expect_contains "$BODY" 'tm_serve_responses_total{code="200"}'
  expect_contains "$BODY" "tm_serve_http_connections"
  expect_not_contains "$BODY" "tm_feed_health{"
  get /health
  expect_eq "$STATUS" 503 "/health with the database gone"
  json_ok "assert d == {'status': 'unavailable', 'database': 'unreachable'}" "/health body"
  if /usr/bin/python3 -c "import jsonschema" 2>/dev/null; then
    /usr/bin/python3 "$TM_SOURCE_DIR/tests/support/check_openapi.py" --base "$SERVE_URL" --slug aave \
      --spec "$TM_SOURCE_DIR/lib/tm/serve/openapi.json" --database-down >"$E2E_TMP/openapi.out" 2>&1 \
      || fail "answers with the database down: $(cat "$E2E_TMP/openapi.out")"
  fi
  stop_serve
}

# Requests share a few database connections: one after another they run on the same server
# process; after the database restarts, every request succeeds again on new connections.
case_pooled_connections_survive_a_database_restart() {
  PG2="$E2E_TMP/pg2"
  mkdir -p "$PG2"
  chmod 755 "$E2E_TMP"
  "$TM_SOURCE_DIR/tests/support/pg_cluster.sh" start "$PG2" >/dev/null || { fail "second cluster"; return; }
  local db2="host=$PG2 port=5432 user=tm_test dbname=tm_pool"
  psql -qX -d "host=$PG2 port=5432 user=tm_test dbname=postgres" -c "CREATE DATABASE tm_pool" >/dev/null
  tm setup --db "$db2" -q >/dev/null || fail "setup"
  backends() { psql -qtAX -d "$db2" -c "SELECT coalesce(string_agg(pid::text, ' ' ORDER BY pid), '') FROM pg_stat_activity WHERE application_name = 'tm serve'"; }
  start_serve --db "$db2"
  local i before after
  for i in $(seq 10); do get /health; expect_eq "$STATUS" 200 "/health $i"; done
  before=$(backends)
  for i in $(seq 10); do get /series; expect_eq "$STATUS" 200 "/series $i"; done
  expect_eq "$(backends)" "$before" "backends serving one request after another"
  [ "$(echo "$before" | wc -w)" = 1 ] || fail "one request after another used several connections: $before"
  "$TM_SOURCE_DIR/tests/support/pg_cluster.sh" restart "$PG2" || fail "restart"
  for i in $(seq 10); do
    get /health
    expect_eq "$STATUS" 200 "/health $i after the restart"
    get /series
    expect_eq "$STATUS" 200 "/series $i after the restart"
  done
  after=$(backends)
  [ -n "$after" ] && [ "$after" != "$before" ] || fail "no new connection after the restart: '$before' then '$after'"
  stop_serve
  "$TM_SOURCE_DIR/tests/support/pg_cluster.sh" stop "$PG2" >/dev/null
  PG2=""
}

run_cases
