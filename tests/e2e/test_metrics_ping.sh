#!/usr/bin/env bash
# --metrics-file / TM_METRICS_DIR (Prometheus textfile) and --ping (healthchecks-style).
. "$(dirname "$0")/lib.sh"
start_fixture_server
export TM_NOW=2024-03-13T05:17:00Z

metric() { # metric FILE NAME{LABELS} → value
  grep -F "$2 " "$1" | awk '{print $2}'
}

case_metrics_file_after_success_and_failure() {
  new_database
  mkdir -p "$E2E_TMP/metrics"
  TM_METRICS_DIR="$E2E_TMP/metrics" run tm pull defillama -q --rate-limit 100000
  expect_code 0
  local f="$E2E_TMP/metrics/tm_pull_defillama.prom"
  [ -f "$f" ] || { fail "no metrics file"; return; }
  expect_eq "$(metric "$f" 'tm_last_run_exit_code{command="pull",source="defillama"}')" 0 "exit code"
  expect_eq "$(metric "$f" 'tm_last_run_points_inserted{command="pull",source="defillama"}')" \
    "$(sql "SELECT count(*) FROM points")" "points inserted"
  expect_eq "$(metric "$f" 'tm_last_run_http_responses{command="pull",source="defillama",status="200"}')" \
    "$(metric "$f" 'tm_last_run_http_requests{command="pull",source="defillama"}')" "200s = requests"
  local success
  success=$(metric "$f" 'tm_last_success_timestamp_seconds{command="pull",source="defillama"}')
  [ -n "$success" ] || fail "no last success"
  # Every sample line is NAME{LABELS} NUMBER; every family has HELP and TYPE.
  python3 - "$f" <<'PY' || fail "metrics file is not in the text format"
import re, sys
lines = open(sys.argv[1]).read().splitlines()
names = set()
for l in lines:
    if l.startswith("# TYPE "):
        names.add(l.split()[2])
    elif not l.startswith("# HELP "):
        m = re.fullmatch(r'([a-z_]+)\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\} -?[0-9.e+-]+', l)
        assert m and m.group(1) in names, l
PY
  # A run that cannot reach its database: exit 4 in the file, last success kept.
  sleep 1
  TM_DATABASE_URL_WRITER="dbname=tm_no_such_$$" run tm pull defillama -q --metrics-file "$f"
  expect_code 4
  expect_eq "$(metric "$f" 'tm_last_run_exit_code{command="pull",source="defillama"}')" 4 "exit code after failure"
  expect_eq "$(metric "$f" 'tm_last_success_timestamp_seconds{command="pull",source="defillama"}')" "$success" "last success"
}

case_ping_start_and_exit_code() {
  new_database
  local url="$FIXTURE_URL/ping/5e5e-secret-uuid"
  run tm pull defillama -q --rate-limit 100000 --ping "$url"
  expect_code 0
  expect_eq "$(request_log | python3 -c "import json,sys; print(' '.join(r['path'] for r in json.load(sys.stdin) if r['path'].startswith('/ping/')))")" \
    "/ping/5e5e-secret-uuid/start /ping/5e5e-secret-uuid/0" "pings"
  reset_server
  run tm query --metric NOPE --ping "$url"
  expect_code 2
  expect_contains "$(request_log)" "/ping/5e5e-secret-uuid/2"
  # An unreachable ping target warns; the run's own outcome stands, and the URL stays secret.
  run tm query --ping "http://127.0.0.1:9/ping/5e5e-secret-uuid"
  expect_code 0
  expect_contains "$ERR" "ping:"
  expect_not_contains "$OUT$ERR" "5e5e-secret-uuid" "output"
}

run_cases
