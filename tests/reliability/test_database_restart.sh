#!/usr/bin/env bash
# Database faults: the server restarts in the middle of a pull. The pull ends with exit 4 and
# one line saying so, its metrics file says 4, no part of its batch is visible, and the next run
# closes the interrupted journal row and succeeds. A dedicated cluster, so that restarting it
# disturbs no other test.
. "$(dirname "$0")/../e2e/lib.sh"
start_fixture_server
export TM_NOW=2024-03-13T05:17:00Z
PG2="$E2E_TMP/pg2"
mkdir -p "$PG2"
chmod 755 "$E2E_TMP"
"$TM_SOURCE_DIR/tests/support/pg_cluster.sh" start "$PG2" >/dev/null # socket in $PG2, user tm_test
extra_cleanup() { "$TM_SOURCE_DIR/tests/support/pg_cluster.sh" stop "$PG2" >/dev/null 2>&1; }
DB2="host=$PG2 port=5432 user=tm_test dbname=tm_restart"
psql -qX -d "host=$PG2 port=5432 user=tm_test dbname=postgres" -c "CREATE DATABASE tm_restart" >/dev/null
sql2() { psql -qtAX -d "$DB2" -c "$1"; }

case_restart_mid_pull_fails_cleanly_then_recovers() {
  tm setup --db "$DB2" -q >/dev/null || fail "setup"
  # The pull waits on a slow response while the server restarts under it.
  fault '{"path": "/defillama/protocols", "times": 1, "delay": 3}'
  "$TM_BIN/tm" pull defillama --db "$DB2" -q --rate-limit 100000 --metrics-file "$E2E_TMP/pull.prom" \
    >"$E2E_TMP/pull.out" 2>"$E2E_TMP/pull.err" &
  local pid=$!
  for _ in $(seq 100); do [ "$(sql2 "SELECT count(*) FROM pulls WHERE status = 'running'")" = 1 ] && break; sleep 0.05; done
  "$TM_SOURCE_DIR/tests/support/pg_cluster.sh" restart "$PG2" || fail "restart"
  local code=0
  wait "$pid" || code=$?
  expect_eq "$code" 4 "exit code of the pull the restart interrupted"
  expect_contains "$(cat "$E2E_TMP/pull.err")" "lost the database connection"
  expect_contains "$(cat "$E2E_TMP/pull.prom")" 'tm_last_run_exit_code{command="pull",source="defillama"} 4'
  expect_eq "$(sql2 "SELECT count(*) FROM points")" 0 "points of the interrupted pull"
  run tm pull defillama --db "$DB2" -q --rate-limit 100000
  expect_code 0
  expect_eq "$(sql2 "SELECT string_agg(status, ' ' ORDER BY pull_id) FROM pulls")" "failed ok" "journal"
  expect_contains "$(sql2 "SELECT error FROM pulls ORDER BY pull_id LIMIT 1")" "interrupted"
  [ "$(sql2 "SELECT count(*) FROM points")" -gt 0 ] || fail "the next pull stored nothing"
}

run_cases
