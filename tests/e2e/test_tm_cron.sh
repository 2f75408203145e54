#!/usr/bin/env bash
# scripts/container/tm-cron, the container image's scheduler: the shipped crontab run at a UTC
# time (its jobs against the fixture server), which jobs of a crontab are due when, refusal of
# malformed lines, and a real run: the crontab's and the process's environment, cron's % rule,
# and SIGTERM stopping every job.
. "$(dirname "$0")/lib.sh"
start_fixture_server # (run_cases resets it between cases)
CRON="$TM_SOURCE_DIR/scripts/container/tm-cron"
SHIPPED="$TM_SOURCE_DIR/crontab/tm.crontab"

due() { "$CRON" --due "$1" "$2" | sed 's/ .*//' | tr '\n' ' '; }

# The shipped crontab as installed (scripts/install-schedule fills in the same variables), run by
# tm-cron with the clock at 00:05:20 UTC (libfaketime): --at-start starts every line once, and
# each line's own UTC guard decides. At 00:05 the DefiLlama, Artemis, CoinGecko and Binance
# pulls run against the fixture server; Hyperliquid (:01), the export (01:30) and tm compact
# (02:30) do not.
case_the_shipped_crontab_runs_its_jobs_at_their_utc_times() {
  need_packages faketime
  new_database
  local work="$E2E_TMP/shipped" lib pid
  mkdir -p "$work/log" "$work/export" "$work/metrics"
  sed -e "s#^TM=.*#TM=$TM_BIN/tm#" -e "s#^TM_CONFIG=.*#TM_CONFIG=$TM_SOURCE_DIR/config#" \
      -e "s#^TM_LOG_DIR=.*#TM_LOG_DIR=$work/log#" -e "s#^TM_EXPORT_DIR=.*#TM_EXPORT_DIR=$work/export#" \
      -e "s#^TM_METRICS_DIR=.*#TM_METRICS_DIR=$work/metrics#" "$SHIPPED" >"$work/crontab"
  lib=$(dpkg -L libfaketime | grep '/libfaketime.so.1$' | head -n 1)
  TM_ARTEMIS_URL="$FIXTURE_URL/artemis" ARTEMIS_API_KEY=k-tm-cron TM_COINGECKO_URL="$FIXTURE_URL/coingecko" \
    TM_BINANCE_URL="$FIXTURE_URL/binance" TM_HYPERLIQUID_URL="$FIXTURE_URL/hyperliquid" TZ=UTC \
    LD_PRELOAD="$lib" FAKETIME="@2024-03-13 00:05:20" FAKETIME_DONT_FAKE_MONOTONIC=1 \
    "$CRON" --at-start -v "$work/crontab" >"$work/stdout" 2>"$work/stderr" &
  pid=$!
  for _ in $(seq 600); do
    [ "$(grep -c 'exited' "$work/stderr")" -ge 7 ] && break
    sleep 0.1
  done
  kill -TERM "$pid"
  wait "$pid"
  # TM_METRICS_DIR comes from the crontab's own lines: each pull wrote its metrics there.
  expect_eq "$(ls "$work/metrics" | grep '^tm_pull_' | tr '\n' ' ')" \
    "tm_pull_artemis.prom tm_pull_binance.prom tm_pull_coingecko.prom tm_pull_defillama.prom " "pulls at 00:05 UTC"
  # A line ends with its detect's exit code, so a failed pull shows only here: say why it failed.
  expect_eq "$(sql "SELECT string_agg(DISTINCT source, ' ' ORDER BY source) FROM pulls WHERE status = 'ok'")" \
    "artemis binance coingecko defillama" \
    "sources pulled ok ($(sql "SELECT string_agg(source || ' ' || status || ' ' || coalesce(error, ''), '; ' ORDER BY pull_id) FROM pulls"); $(cat "$work/stdout"))"
  [ -e "$work/export/history.csv" ] && fail "the 01:30 export ran at 00:05"
  expect_contains "$(cat "$work/stderr")" "tm-cron info: 7 jobs from $work/crontab, times in UTC"
  expect_eq "$(grep -c 'exited 0$' "$work/stderr")" 7 "jobs that ended well (of 7): $(cat "$work/stderr")"
}

case_time_fields_as_cron_reads_them() {
  cat >"$E2E_TMP/c" <<'EOF'
*/15 9-17 * * 1-5 weekday-quarters
0 12 1 * 0 first-of-month-or-sunday
0 0 * 2 7 february-sundays
5,35 */6 * * * twice-every-six-hours
EOF
  expect_eq "$(due 2024-03-13T09:45:00Z "$E2E_TMP/c")" "weekday-quarters " "Wednesday 09:45"
  expect_eq "$(due 2024-03-16T09:45:00Z "$E2E_TMP/c")" "" "Saturday 09:45"
  expect_eq "$(due 2024-03-13T09:50:00Z "$E2E_TMP/c")" "" "09:50 is not a quarter"
  # Day of month and day of week both restricted: either one will do.
  expect_eq "$(due 2024-03-01T12:00:00Z "$E2E_TMP/c")" "weekday-quarters first-of-month-or-sunday " "Friday the 1st"
  expect_eq "$(due 2024-03-10T12:00:00Z "$E2E_TMP/c")" "first-of-month-or-sunday " "Sunday the 10th"
  expect_eq "$(due 2024-03-11T12:00:00Z "$E2E_TMP/c")" "weekday-quarters " "Monday the 11th"
  expect_eq "$(due 2024-02-04T00:00:00Z "$E2E_TMP/c")" "february-sundays " "Sunday is 7 too"
  expect_eq "$(due 2024-02-05T00:00:00Z "$E2E_TMP/c")" "" "a February Monday"
  expect_eq "$(due 2024-03-13T18:35:00Z "$E2E_TMP/c")" "twice-every-six-hours " "18:35"
  expect_eq "$(due 2024-03-13T19:35:00Z "$E2E_TMP/c")" "" "19:35"
  # CRON_TZ moves the clock the fields are read in.
  printf 'CRON_TZ=Etc/GMT-2\n0 7 * * * seven-local\n' >"$E2E_TMP/tz"
  expect_eq "$(due 2024-03-13T05:00:00Z "$E2E_TMP/tz")" "seven-local " "07:00 at UTC+2"
}

case_malformed_lines_are_refused() {
  local bad
  for bad in "60 * * * * x" "* 24 * * * x" "* * 0 * * x" "* * * 13 * x" "* * * * 8 x" "*/0 * * * * x" \
             "5-3 * * * * x" "* * * * *" "@hourly x" "* * * jan * x" "1,,2 * * * * x"; do
    printf '%s\n' "$bad" >"$E2E_TMP/bad"
    run "$CRON" --due 2024-03-13T05:05:00Z "$E2E_TMP/bad"
    expect_code 2
    expect_one_line "$ERR"
    expect_contains "$ERR" "line 1: expected five time fields" "'$bad'"
  done
  run "$CRON" "$E2E_TMP/no-such-crontab"
  expect_code 2
  expect_contains "$ERR" "cannot read"
  run "$CRON" --due "not a time" "$SHIPPED"
  expect_code 2
  run "$CRON"
  expect_code 2
  expect_contains "$ERR" "usage: tm-cron"
}

case_jobs_run_with_their_environment_and_stop_on_sigterm() {
  local out="$E2E_TMP/run"
  mkdir -p "$out"
  cat >"$out/crontab" <<EOF
GREETING="hello from the crontab"
MAILTO=nobody@example.com
* * * * * echo "\$GREETING, \$FROM_PROCESS" >>$out/ran
0 0 31 2 * sh -c 'echo \$\$ >$out/sleeper; exec sleep 300'
* * * * * printf '\\%s|' a b >$out/percent; cat >$out/stdin%first line%second line
EOF
  FROM_PROCESS="and from the environment" "$CRON" --at-start "$out/crontab" >"$out/stdout" 2>"$out/stderr" &
  local pid=$!
  for _ in $(seq 100); do [ -s "$out/ran" ] && [ -s "$out/sleeper" ] && [ -s "$out/stdin" ] && break; sleep 0.1; done
  # --at-start ran both, even the one due only on February 31st.
  expect_eq "$(cat "$out/ran" 2>/dev/null)" "hello from the crontab, and from the environment" "job output"
  local sleeper
  sleeper=$(cat "$out/sleeper" 2>/dev/null)
  [ -n "$sleeper" ] && kill -0 "$sleeper" 2>/dev/null || fail "the long job is not running"
  kill -TERM "$pid"
  local code=0
  wait "$pid" || code=$?
  expect_eq "$code" 0 "exit code after SIGTERM"
  for _ in $(seq 50); do kill -0 "$sleeper" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$sleeper" 2>/dev/null && { fail "the job's process outlived tm-cron"; kill "$sleeper"; }
  # cron's % rule: \\% is a %, and after an unescaped % comes the job's standard input.
  expect_eq "$(cat "$out/percent" 2>/dev/null)" "a|b|" "a job with \\%"
  expect_eq "$(cat "$out/stdin" 2>/dev/null)" "first line
second line" "a job's standard input after %"
  expect_contains "$(cat "$out/stderr")" "tm-cron info: 3 jobs from $out/crontab, times in UTC"
  expect_contains "$(cat "$out/stderr")" "tm-cron info: stopping"
  expect_not_contains "$(cat "$out/stderr")" "nobody@example.com"
}

run_cases
