#!/usr/bin/env bash
# SIGTERM and SIGINT during tm pull, tm backfill and tm detect: the run stops at its next safe
# point, commits nothing half-done, closes its journal row (failed, "interrupted by SIGTERM"),
# writes its metrics file, releases its lock and exits 128 + signal (143, 130). A backfill keeps
# the chunks it committed and the next run resumes after them.
. "$(dirname "$0")/../e2e/lib.sh"
start_fixture_server
export TM_NOW=2024-03-13T05:17:00Z
unset SLACK_WEBHOOK_URL TM_WEBHOOK_URL TM_WEBHOOK_SECRET
CONFIG="$TM_SOURCE_DIR/tests/fixtures/config/defillama-backfill.csv"
FAST=(--rate-limit 100000 --retry-delay 10ms)
SLOW='"times": 1, "delay": 60'

# Starts tm ARGS... in the background with SIGINT and SIGTERM at their defaults (a script's
# background job would ignore SIGINT, and tm leaves an ignored signal ignored); PID is its pid.
start() {
  python3 -c 'import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execv(sys.argv[1], sys.argv[1:])' \
    "$TM_BIN/tm" "$@" >"$E2E_TMP/out" 2>"$E2E_TMP/err" &
  PID=$!
}

# Waits until the shell command $1 succeeds (up to 30 s).
wait_for() {
  for _ in $(seq 300); do eval "$1" && return 0; sleep 0.1; done
  fail "timed out waiting for: $1"
  return 1
}

# Waits for PID to end (up to 30 s) and collects its exit code, output and log (CODE, OUT, ERR).
collect() {
  local waited=0
  while kill -0 "$PID" 2>/dev/null && [ "$waited" -lt 300 ]; do sleep 0.1; waited=$((waited + 1)); done
  kill -0 "$PID" 2>/dev/null && { fail "still running 30 s after the signal"; kill -9 "$PID"; }
  wait "$PID"
  CODE=$?
  OUT=$(cat "$E2E_TMP/out")
  ERR=$(cat "$E2E_TMP/err")
}

# Sends signal $1 to PID and collects its outcome.
stop_with() {
  kill -s "$1" "$PID"
  collect
}

metric() { # metric FILE NAME{LABELS} → value
  grep -F "$2 " "$1" | awk '{print $2}'
}

checksum() {
  sql "SELECT count(*) || ' ' || md5(string_agg(asset || metric || ts || value, ',' ORDER BY asset, metric, ts)) FROM metrics"
}

pull_interrupted_by() { # SIGNAL CODE
  new_database
  fault "{\"path\": \"/defillama/protocols\", $SLOW}"
  start pull defillama "${FAST[@]}" --metrics-file "$E2E_TMP/pull.prom"
  wait_for '[ "$(requests_to /defillama/protocols)" = 1 ]' || return
  stop_with "$1"
  expect_code "$2"
  expect_contains "$ERR" "interrupted by SIG$1"
  expect_sql "SELECT status || ' ' || error FROM pulls" "failed interrupted by SIG$1"
  expect_sql "SELECT count(*) FROM points" "0"
  expect_eq "$(metric "$E2E_TMP/pull.prom" 'tm_last_run_exit_code{command="pull",source="defillama"}')" "$2" "metrics file"
  # The lock is free at once: the next pull runs (exit 0, not 5) and stores everything.
  run tm pull defillama "${FAST[@]}"
  expect_code 0
  expect_sql "SELECT string_agg(status, ' ' ORDER BY pull_id) FROM pulls" "failed ok"
}

case_pull_sigterm() {
  pull_interrupted_by TERM 143
}

case_pull_sigint() {
  pull_interrupted_by INT 130
}

case_pull_every_sigterm_between_snapshots() {
  new_database
  start pull defillama "${FAST[@]}" --every 30s --for 5m --metrics-file "$E2E_TMP/every.prom"
  wait_for '[ "$(sql "SELECT count(*) FROM pulls WHERE status = '"'ok'"'")" = 1 ]' || return
  stop_with TERM
  expect_code 143
  expect_contains "$ERR" "interrupted by SIGTERM"
  # The snapshot taken stays; no journal row is left running.
  expect_sql "SELECT string_agg(status, ' ') FROM pulls" "ok"
  expect_eq "$(metric "$E2E_TMP/every.prom" 'tm_last_run_exit_code{command="pull",source="defillama"}')" 143 "metrics file"
}

case_backfill_sigterm_keeps_whole_chunks_and_resumes() {
  new_database
  run tm backfill defillama --config "$CONFIG" "${FAST[@]}"
  expect_code 0
  local reference
  reference=$(checksum)
  new_database
  # Every chunk answers at once but one of uniswap-v3's fees, revenue or holders revenue.
  fault "{\"path\": \"/defillama/summary/fees/uniswap-v3\", $SLOW}"
  start backfill defillama --config "$CONFIG" "${FAST[@]}" --metrics-file "$E2E_TMP/backfill.prom"
  wait_for '[ "$(sql "SELECT count(*) FROM backfill_progress")" = 18 ]' || return
  stop_with TERM
  expect_code 143
  expect_sql "SELECT status || ' ' || kind || ' ' || error FROM pulls" "failed backfill interrupted by SIGTERM"
  expect_sql "SELECT points_inserted > 0 FROM pulls" "t"
  # Whole chunks only: the hanging one left nothing, every stored series has its progress row
  # (the pool's chunk brings APY_BASE, APY_REWARD and POOL_TVL under its APY row).
  expect_sql "SELECT count(*) FROM backfill_progress WHERE asset = 'uniswap-v3' AND metric IN ('FEES_24H', 'REVENUE_24H', 'HOLDERS_REVENUE_24H')" "2"
  expect_sql "SELECT count(*) FROM series s WHERE EXISTS (SELECT 1 FROM points p WHERE p.series_id = s.series_id)
                AND NOT EXISTS (SELECT 1 FROM backfill_progress b WHERE b.asset = s.asset AND b.metric = s.metric)
                AND s.metric NOT IN ('APY_BASE', 'APY_REWARD', 'POOL_TVL')" "0"
  expect_eq "$(metric "$E2E_TMP/backfill.prom" 'tm_last_run_exit_code{command="backfill",source="defillama"}')" 143 "metrics file"
  # The next run takes the lock at once, fetches the missing chunk only, and ends where an
  # uninterrupted run does.
  reset_server
  run tm backfill defillama --config "$CONFIG" "${FAST[@]}"
  expect_code 0
  expect_contains "$ERR" "18 chunks were completed by an earlier run and skipped"
  expect_eq "$(checksum)" "$reference" "points after resuming"
}

# aave TVL at 100 for a day, then 75: tvl_drop opens when detect runs.
seed_drop() {
  sql "INSERT INTO series (source, kind, asset, metric) VALUES ('defillama', 'protocol', 'aave', 'TVL');
       INSERT INTO points SELECT series_id, t, 100 FROM series,
         generate_series('2024-03-12T04:00Z'::timestamptz, '2024-03-13T04:00Z', '1 hour') t;
       INSERT INTO points SELECT series_id, '2024-03-13T05:00Z', 75 FROM series" >/dev/null
}

case_detect_sigterm_while_judging_rolls_back() {
  new_database
  seed_drop
  # Another session holds the alerts table, so the judgement waits on it.
  psql -qX -d "${TM_DATABASE_URL#dbname=}" -c "BEGIN; LOCK TABLE alerts; SELECT pg_sleep(60)" >/dev/null 2>&1 &
  local locker=$!
  wait_for '[ "$(sql "SELECT count(*) FROM pg_locks WHERE relation = '"'alerts'"'::regclass AND mode = '"'AccessExclusiveLock'"' AND granted")" = 1 ]' || return
  start detect --metrics-file "$E2E_TMP/detect.prom"
  wait_for '[ "$(sql "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = '"'Lock'"' AND datname = current_database()")" -ge 1 ]' || return
  kill -s TERM "$PID"
  sleep 0.5
  sql "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(60)%' AND pid <> pg_backend_pid()" >/dev/null
  wait "$locker" 2>/dev/null
  collect
  expect_code 143
  expect_contains "$ERR" "interrupted by SIGTERM"
  expect_eq "$OUT" "" "events printed by an interrupted judgement"
  expect_sql "SELECT count(*) FROM alerts" "0"
  expect_eq "$(metric "$E2E_TMP/detect.prom" 'tm_last_run_exit_code{command="detect"}')" 143 "metrics file"
  run tm detect
  expect_code 0
  expect_contains "$OUT" "opened critical tvl_drop defillama/aave/TVL"
}

case_detect_sigterm_while_notifying_sends_the_rest_next_run() {
  new_database
  seed_drop
  export TM_WEBHOOK_URL="$FIXTURE_URL/hooks/slow"
  fault "{\"path\": \"/hooks/slow\", $SLOW}"
  start detect --retry-delay 10ms --metrics-file "$E2E_TMP/detect.prom"
  wait_for '[ "$(requests_to /hooks/slow)" = 1 ]' || return
  stop_with TERM
  expect_code 143
  expect_contains "$ERR" "interrupted by SIGTERM"
  expect_eq "$(metric "$E2E_TMP/detect.prom" 'tm_last_run_exit_code{command="detect"}')" 143 "metrics file"
  # The judgement had committed; the delivery did not arrive and is due next run.
  expect_sql "SELECT status || ' ' || (notified_at IS NULL) FROM alerts" "open true"
  expect_sql "SELECT count(*) FROM alert_deliveries" "0"
  reset_server
  run tm detect --retry-delay 10ms
  expect_code 0
  expect_eq "$(requests_to /hooks/slow)" 1 "deliveries of the next run"
  expect_sql "SELECT notified_at IS NOT NULL FROM alerts" "t"
  unset TM_WEBHOOK_URL
}

run_cases
