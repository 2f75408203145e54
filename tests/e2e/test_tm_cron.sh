#!/usr/bin/env bash
# scripts/container/tm-cron, the container image's scheduler: which jobs of a crontab are due when (the
# shipped crontab among them), refusal of malformed lines, and a real run: jobs started at
# start with the crontab's and the process's environment, and SIGTERM stopping them all.
. "$(dirname "$0")/lib.sh"
start_fixture_server # (run_cases resets it between cases)
CRON="$TM_SOURCE_DIR/scripts/container/tm-cron"
SHIPPED="$TM_SOURCE_DIR/crontab/tm.crontab"

due() { "$CRON" --due "$1" "$2" | sed 's/ .*//;s/^\$TM$//' | tr '\n' ' '; }
# The sources pulled by the shipped crontab at TIME, in crontab order.
shipped_pulls_at() { "$CRON" --due "$1" "$SHIPPED" | sed -n 's/^\$TM pull \([a-z]*\) .*/\1/p;s/^\$TM query .*/export/p' | tr '\n' ' '; }

case_the_shipped_schedule_is_due_when_it_says() {
  expect_eq "$(shipped_pulls_at 2024-03-13T05:05:00Z)" "defillama coingecko binance " "05:05"
  expect_eq "$(shipped_pulls_at 2024-03-13T00:05:00Z)" "defillama artemis coingecko binance " "00:05"
  expect_eq "$(shipped_pulls_at 2024-03-13T07:01:00Z)" "hyperliquid coingecko binance " "07:01"
  expect_eq "$(shipped_pulls_at 2024-03-13T01:30:00Z)" "coingecko binance export " "01:30"
  # The hourly job at :05 of every hour of the day, and not a minute either side.
  local count=0 hour minute
  for hour in $(seq 0 23); do
    for minute in 4 5 6; do
      count=$((count + $("$CRON" --due "2024-03-13T$(printf %02d "$hour"):0$minute:00Z" "$SHIPPED" | grep -c 'pull defillama')))
    done
  done
  expect_eq "$count" 24 "defillama pulls in a day"
  # The whole command line comes through, for /bin/sh to run.
  expect_contains "$("$CRON" --due 2024-03-13T05:05:00Z "$SHIPPED")" \
    '$TM pull defillama -q; $TM detect -q --alert-log /var/log/tm/alerts.txt || [ $? -eq 5 ]'
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
EOF
  FROM_PROCESS="and from the environment" "$CRON" --at-start "$out/crontab" >"$out/stdout" 2>"$out/stderr" &
  local pid=$!
  for _ in $(seq 100); do [ -s "$out/ran" ] && [ -s "$out/sleeper" ] && break; sleep 0.1; done
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
  expect_contains "$(cat "$out/stderr")" "tm-cron info: 2 jobs from $out/crontab, times in UTC"
  expect_contains "$(cat "$out/stderr")" "tm-cron info: stopping"
  expect_not_contains "$(cat "$out/stderr")" "nobody@example.com"
}

run_cases
