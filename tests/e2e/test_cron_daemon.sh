#!/usr/bin/env bash
# The shipped crontab under the real Debian cron daemon, on a machine whose zone has a
# half-hour offset (Asia/Kolkata): installed by scripts/install-schedule for a user of its own,
# run by `cron -f` for two minutes with the clock moved (libfaketime) so that they are 00:05 and
# 00:06 UTC. At 00:05 UTC the DefiLlama, Artemis, CoinGecko and Binance lines fire, each with
# its tm detect (four at once: they must queue, not fail); at 00:06 only the minute lines. The
# pulls go to the fixture server, the alerts to its Slack receiver, the metrics and the alert
# log to the installed folders; cron logs (to a syslog socket) no failure and no output to mail.
. "$(dirname "$0")/lib.sh"
need_packages cron faketime
start_fixture_server
SLACK_PATH=/hooks/slack/T0CRON/B0CRON/cronSecret
CRON_USER=tm-e2e-cron
CRON_PID="" SYSLOG_PID=""

extra_cleanup() {
  [ -n "$CRON_PID" ] && kill "$CRON_PID" 2>/dev/null
  [ -n "$SYSLOG_PID" ] && { kill "$SYSLOG_PID" 2>/dev/null; rm -f /dev/log; }
  crontab -u "$CRON_USER" -r 2>/dev/null
}

case_shipped_crontab_under_cron_at_utc_times() {
  if [ -e /dev/log ] || pgrep -x cron >/dev/null; then
    fail "a syslog daemon (/dev/log) or a cron daemon is already running; this test needs both to itself"
    return
  fi
  new_database
  id "$CRON_USER" >/dev/null 2>&1 ||
    useradd --system --no-create-home --home-dir /nonexistent --shell /bin/sh "$CRON_USER" || id "$CRON_USER" >/dev/null
  chmod 711 "$E2E_TMP"
  local work="$E2E_TMP/cron"
  mkdir -p "$work"
  python3 "$TM_SOURCE_DIR/tests/support/syslog_listener.py" /dev/log "$work/syslog.txt" &
  SYSLOG_PID=$!
  # The clock: the next real minute (at least 10 s away) becomes the nearest 00:05:00 UTC.
  local now next target offset lib
  now=$(date +%s)
  next=$(( (now / 60 + 1) * 60 ))
  [ $((next - now)) -ge 10 ] || next=$((next + 60))
  target=$(date -u -d "$(date -u -d "@$next" +%F) 00:05" +%s)
  [ $((next - target)) -gt 43200 ] && target=$((target + 86400))
  offset=$((target - next))
  lib=$(dpkg -L libfaketime | grep '/libfaketime.so.1$' | head -n 1)
  [ "$offset" -ge 0 ] && offset="+$offset"
  local clock=(LD_PRELOAD="$lib" FAKETIME="$offset" FAKETIME_DONT_FAKE_MONOTONIC=1)
  run "$TM_SOURCE_DIR/scripts/install-schedule" cron --user "$CRON_USER" --bin "$TM_BIN" \
    --log-dir "$work/log" --export-dir "$work/export" --metrics-dir "$work/metrics" \
    --env "TM_DATABASE_URL=host=$PGHOST port=${PGPORT:-5432} user=$PGUSER dbname=${TM_DATABASE_URL#dbname=}" \
    --env "TM_DEFILLAMA_URL=$TM_DEFILLAMA_URL" --env "TM_DEFILLAMA_STABLECOINS_URL=$TM_DEFILLAMA_STABLECOINS_URL" \
    --env "TM_DEFILLAMA_YIELDS_URL=$TM_DEFILLAMA_YIELDS_URL" --env "TM_ARTEMIS_URL=$FIXTURE_URL/artemis" \
    --env "ARTEMIS_API_KEY=k-cron" --env "TM_COINGECKO_URL=$FIXTURE_URL/coingecko" \
    --env "TM_BINANCE_URL=$FIXTURE_URL/binance" --env "TM_HYPERLIQUID_URL=$FIXTURE_URL/hyperliquid" \
    --env "SLACK_WEBHOOK_URL=$FIXTURE_URL$SLACK_PATH" \
    --env "${clock[0]}" --env "${clock[1]}" --env "${clock[2]}"
  expect_code 0
  expect_contains "$OUT" "installed tm's cron schedule (7 jobs) for $CRON_USER"
  for d in log export metrics; do
    [ "$(stat -c %U "$work/$d")" = "$CRON_USER" ] || fail "$work/$d is not owned by $CRON_USER"
  done
  local started=$SECONDS
  (cd / && exec env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin TZ=Asia/Kolkata "${clock[@]}" \
    setsid cron -f -L 15 >"$work/cron.out" 2>&1) &
  CRON_PID=$!
  # Two minutes of runs: 4 jobs at 00:05 and 2 at 00:06 (the other lines start and stop at
  # their guard), 14 in all (7 lines x 2 minutes); each ends with an END line. Generous bound
  # for a slow machine.
  local ended=0
  for _ in $(seq 600); do
    ended=$(grep -c "($CRON_USER) END" "$work/syslog.txt" 2>/dev/null)
    [ "$ended" -ge 14 ] && break
    sleep 1
  done
  kill "$CRON_PID" 2>/dev/null
  wait "$CRON_PID" 2>/dev/null
  CRON_PID=""
  echo "    cron ran $ended jobs in $((SECONDS - started)) s" >&2
  expect_eq "$ended" 14 "jobs cron ran (7 lines x 2 minutes)"
  local log
  log=$(cat "$work/syslog.txt")
  expect_not_contains "$log" "No MTA installed" "cron's log (a job printed something: cron would mail it)"
  expect_not_contains "$log" "failed with exit status" "cron's log"
  expect_eq "$(cat "$work/cron.out")" "" "cron's own output"

  # Pulls at 00:05 UTC for the hourly and daily lines, every minute for the minute lines.
  expect_sql "SELECT string_agg(source || ':' || status || ':' || n, ' ' ORDER BY source)
                FROM (SELECT source, status, count(*) AS n FROM pulls GROUP BY 1, 2) p" \
    "artemis:ok:1 binance:ok:2 coingecko:ok:2 defillama:ok:1"
  local m="$work/metrics"
  for f in tm_pull_defillama tm_pull_artemis tm_pull_coingecko tm_pull_binance tm_detect; do
    [ -f "$m/$f.prom" ] || { fail "no metrics file $f.prom"; continue; }
    expect_contains "$(cat "$m/$f.prom")" 'result="ok"} 1' "$f.prom"
  done
  local at
  at=$(grep -F 'tm_last_run_timestamp_seconds{command="pull",source="artemis"}' "$m/tm_pull_artemis.prom" | awk '{printf "%d", $2}')
  [ -n "$at" ] && [ "$at" -ge "$target" ] && [ "$at" -lt $((target + 60)) ] ||
    fail "the Artemis pull ended at $(date -u -d "@${at:-0}" +%H:%M:%S) UTC, not within 00:05 UTC"
  [ ! -e "$m/tm_pull_hyperliquid.prom" ] || fail "hyperliquid (due at :01) ran"
  [ ! -e "$work/export/history.csv" ] || fail "the export (due at 01:30) ran"

  # tm detect: alerts opened, delivered to Slack and the alert log.
  local opened
  opened=$(sql "SELECT count(*) FROM alerts")
  [ "$opened" -gt 0 ] || fail "no alert opened"
  expect_sql "SELECT count(*) FROM alerts WHERE notified_at IS NULL" "0"
  [ "$(requests_to "$SLACK_PATH")" -gt 0 ] || fail "nothing reached the Slack receiver"
  [ -s "$work/log/alerts.txt" ] || fail "the alert log is empty"
  expect_eq "$(stat -c %U "$work/log/alerts.txt")" "$CRON_USER" "owner of the alert log"
}

run_cases
