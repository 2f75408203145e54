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

case_results_usage_errors_and_unwritable_files() {
  new_database
  local d="$E2E_TMP/results"
  mkdir -p "$d"
  # How the run ended, one series per result: a partial pull is not a failed one.
  fault '{"path": "/defillama/protocols", "times": -1, "status": 500}'
  TM_METRICS_DIR="$d" run tm pull defillama -q --rate-limit 100000 --retries 0
  expect_code 3
  local f="$d/tm_pull_defillama.prom"
  expect_eq "$(metric "$f" 'tm_last_run_result{command="pull",source="defillama",result="partial"}')" 1 "partial"
  expect_eq "$(metric "$f" 'tm_last_run_result{command="pull",source="defillama",result="failed"}')" 0 "failed"
  [ -n "$(metric "$f" 'tm_last_success_timestamp_seconds{command="pull",source="defillama"}')" ] || fail "a partial run is a success"
  [ -n "$(metric "$f" 'tm_feed_newest_point_timestamp_seconds{command="pull",source="defillama"}')" ] || fail "no feed freshness"
  expect_eq "$(metric "$f" 'tm_feed_max_age_seconds{command="pull",source="defillama"}')" 10800 "max age (3 x 1h)"
  reset_server
  # Usage errors write nothing: no tm_pull.prom claiming exit 2 that no later run rewrites,
  # nothing that could overwrite the real job's file.
  TM_METRICS_DIR="$d" run tm pull binanse
  expect_code 2
  TM_METRICS_DIR="$d" run tm pull defillama --every 5s
  expect_code 2
  TM_METRICS_DIR="$d" run tm query --metric NOPE
  expect_code 2
  expect_eq "$(ls "$d")" "tm_pull_defillama.prom" "files after usage errors"
  expect_eq "$(metric "$f" 'tm_last_run_exit_code{command="pull",source="defillama"}')" 3 "the job's file"
  # tm status: CRITICAL is the feed's health; its own run went fine.
  TM_METRICS_DIR="$d" run tm status --max-age defillama=1s
  expect_code 2
  expect_eq "$(metric "$d/tm_status.prom" 'tm_last_run_result{command="status",result="ok"}')" 1 "status result"
  # A metrics file that cannot be written: the run does its work, warns, and exits 3 instead of
  # 0 (monitoring must not go blind silently). /proc is a folder nobody can write, root included.
  TM_METRICS_DIR=/proc run tm pull defillama -q --rate-limit 100000
  expect_code 3
  expect_one_line "$ERR"
  expect_contains "$ERR" "warning: metrics file not written, monitoring cannot see this run"
  expect_sql "SELECT status FROM pulls ORDER BY pull_id DESC LIMIT 1" "ok"
  run tm query --metrics-file /proc/tm_query.prom --limit 1
  expect_code 3
  expect_contains "$ERR" "metrics file not written"
  run tm status --metrics-file /nonexistent/tm_status.prom --max-age defillama=1s
  expect_code 2
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
