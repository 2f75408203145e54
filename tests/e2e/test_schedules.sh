#!/usr/bin/env bash
# The shipped schedules without their daemons (test_cron_daemon.sh runs the real cron):
# scripts/install-schedule refuses each kind of mistake with one line, from a read-only
# checkout; the folders it creates are all the commands need (each installed line run as is, on
# a machine without them); the UTC guards fire at the documented UTC minute, not at that local
# time, in New York (across a daylight-saving change) and Kolkata; every systemd unit passes
# `systemd-analyze verify` and scores 5.0 or less in `systemd-analyze security`.
. "$(dirname "$0")/lib.sh"
need_packages cron faketime systemd
start_fixture_server
CRONTAB="$TM_SOURCE_DIR/crontab/tm.crontab"
KEY=(--env ARTEMIS_API_KEY=k-schedules)

# A read-only view of the checkout (root ignores permission bits, so a read-only bind mount).
RO="$E2E_TMP/ro"
in_readonly_checkout() { # in_readonly_checkout CMD...: runs CMD with $RO a read-only checkout
  mkdir -p "$RO"
  unshare -m -- sh -c 'mount --bind "$1" "$2" && mount -o remount,bind,ro "$2" && shift 2 && exec "$@"' \
    sh "$TM_SOURCE_DIR" "$RO" "$@"
}
install_schedule() { in_readonly_checkout "$RO/scripts/install-schedule" "$@"; }

# refused WHAT SED-EDIT NEEDLE: the shipped crontab with one mistake is refused, one line naming it.
refused() {
  sed "$2" "$CRONTAB" >"$E2E_TMP/tab"
  cmp -s "$E2E_TMP/tab" "$CRONTAB" && { fail "$1: the edit changed nothing"; return; }
  run install_schedule cron --print --bin "$TM_BIN" "${KEY[@]}" --crontab "$E2E_TMP/tab" --log-dir "$E2E_TMP/l"
  expect_code 1
  local err
  err=$(printf '%s\n' "$ERR" | grep -v 'would create')
  expect_one_line "$err"
  expect_contains "$err" "$3" "$1"
}

case_install_schedule_refuses_each_mistake_with_one_line() {
  run install_schedule cron --print --bin "$TM_BIN" "${KEY[@]}" --log-dir "$E2E_TMP/l"
  expect_code 0
  expect_contains "$OUT" "# BEGIN tm (scripts/install-schedule)"
  expect_contains "$OUT" "TM=$TM_BIN/tm"
  expect_contains "$OUT" "ARTEMIS_API_KEY=k-schedules"
  [ ! -e "$E2E_TMP/l" ] || fail "--print created a folder"
  refused "mistyped source" 's/pull binance -q/pull binanse -q/' "unknown source 'binanse'; did you mean 'binance'?"
  refused "unknown rule" 's/--rule price_deviation,source_divergence,stale_feed/--rule price_deviaton/' "--rule price_deviaton: no such rule"
  refused "missing folder" 's#-o $TM_EXPORT_DIR/history.csv#-o /nonexistent/tm/history.csv#' "/nonexistent/tm"
  refused "month 13" 's#^\* \* \* \* \* $TM pull coingecko#* * * 13 * $TM pull coingecko#' "tab:38: bad month (crontab -n)"
  refused "local time" 's#^\* \* \* \* \* $TM pull coingecko#5 0 * * * $TM pull coingecko#' "read in the machine's local time"
  refused "guard at 25:30" 's#= 01:30 \]#= 25:30 ]#' "guard time 25:30 is not HH:MM in UTC"
  refused "not a tm command" 's#; $TM detect -q --alert-log#; rm -rf /tmp/x; $TM detect -q --alert-log#' "'rm -rf /tmp/x' is not a tm command"
  refused "bad database address" 's#^MAILTO=root#TM_DATABASE_URL=postgresql://[::1#' "TM_DATABASE_URL"
  run install_schedule cron --print --bin "$TM_BIN" --log-dir "$E2E_TMP/l"
  expect_code 1
  expect_contains "$ERR" "ARTEMIS_API_KEY is not set"
  # systemd: a calendar systemd cannot parse.
  cp -r "$TM_SOURCE_DIR/crontab/systemd" "$E2E_TMP/units"
  sed -i 's/^OnCalendar=.*/OnCalendar=25:30/' "$E2E_TMP/units/tm-export.timer"
  run install_schedule systemd --units "$E2E_TMP/units" --dest "$E2E_TMP/refused" --no-enable --bin "$TM_BIN"
  expect_code 1
  expect_one_line "$ERR"
  expect_contains "$ERR" "tm-export.timer: OnCalendar=25:30: Failed to parse calendar specification"
  [ ! -e "$E2E_TMP/refused" ] || fail "a refused schedule installed units"
  # The check itself: TM_CHECK_ARGS refuses what needs no database to know, and runs nothing.
  TM_CHECK_ARGS=1 run tm pull binanse
  expect_code 2
  TM_CHECK_ARGS=1 TM_METRICS_DIR=/nonexistent run tm pull binance
  expect_code 2
  expect_contains "$ERR" "TM_METRICS_DIR /nonexistent: folder /nonexistent does not exist or is not writable"
  TM_CHECK_ARGS=1 TM_DATABASE_URL_WRITER="dbname=tm_never_$$" run tm detect -q --rule tvl_drop
  expect_code 0
  expect_eq "$ERR" "" "stderr of a checked command"
  TM_CHECK_ARGS=1 run tm status --max-age x
  expect_code 3
}

# The installed crontab's environment lines and job commands (cron's \% unescaped).
installed_env() { grep -E '^[A-Za-z_][A-Za-z0-9_]*=' "$1"; }
installed_jobs() { grep -E '^\* \* \* \* \* ' "$1" | cut -d' ' -f6- | sed 's/\\%/%/g'; }

case_installed_folders_are_all_each_line_needs() {
  new_database
  local user=tm-e2e-schedule state="$E2E_TMP/fresh"
  id "$user" >/dev/null 2>&1 || useradd --system --no-create-home --home-dir /nonexistent --shell /bin/sh "$user" || id "$user" >/dev/null
  chmod 711 "$E2E_TMP"
  local flags=(--bin "$TM_BIN" --user "$user" "${KEY[@]}" --env "TM_DATABASE_URL=$TM_DATABASE_URL"
    --env "PGHOST=$PGHOST" --env "PGUSER=$PGUSER" --env "TM_ARTEMIS_URL=$FIXTURE_URL/artemis"
    --env "TM_COINGECKO_URL=$FIXTURE_URL/coingecko" --env "TM_BINANCE_URL=$FIXTURE_URL/binance"
    --env "TM_HYPERLIQUID_URL=$FIXTURE_URL/hyperliquid" --env "TM_DEFILLAMA_URL=$TM_DEFILLAMA_URL"
    --env "TM_DEFILLAMA_STABLECOINS_URL=$TM_DEFILLAMA_STABLECOINS_URL"
    --env "TM_DEFILLAMA_YIELDS_URL=$TM_DEFILLAMA_YIELDS_URL"
    --log-dir "$state/log" --export-dir "$state/export" --metrics-dir "$state/metrics")
  # From the checkout itself: the installed lines name its config folder.
  run "$TM_SOURCE_DIR/scripts/install-schedule" cron --print "${flags[@]}"
  expect_code 0
  [ ! -e "$state" ] || fail "--print created folders"
  printf '%s\n' "$OUT" >"$E2E_TMP/printed"
  local env=()
  while IFS= read -r line; do env+=("$line"); done < <(installed_env "$E2E_TMP/printed")
  as_user() { runuser -u "$user" -- env -i PATH=/usr/bin:/bin HOME=/nonexistent "${env[@]}" sh -c "$1"; }
  # Without the installation's folders, what the shipped lines did on a fresh machine: exit 2.
  run as_user "$(installed_jobs "$E2E_TMP/printed" | grep 'pull coingecko' | sed 's/^.*; \$TM detect/$TM detect/')"
  expect_code 2
  expect_contains "$ERR" "does not exist"
  # Installed: the folders are there, the user's, and every line runs as installed (its guard
  # passed) without a word of output.
  run "$TM_SOURCE_DIR/scripts/install-schedule" cron "${flags[@]}"
  expect_code 0
  crontab -u "$user" -l >"$E2E_TMP/installed"
  crontab -u "$user" -r
  expect_eq "$(stat -c '%U %a' "$state/log" "$state/export" "$state/metrics" | tr '\n' ' ')" \
    "$user 750 $user 750 $user 755 " "owners and modes of the folders"
  local n=0 job
  while IFS= read -r job; do
    n=$((n + 1))
    run as_user "${job#*'|| exit 0; '}"
    expect_code 0
    expect_eq "$OUT$ERR" "" "output of installed line $n ($job)"
  done < <(installed_jobs "$E2E_TMP/installed")
  expect_eq "$n" 7 "installed jobs"
  [ -s "$state/export/history.csv" ] || fail "no export"
  [ -s "$state/log/alerts.txt" ] || fail "no alert log"
  expect_eq "$(ls "$state/metrics" | tr '\n' ' ')" \
    "tm_compact.prom tm_detect.prom tm_pull_artemis.prom tm_pull_binance.prom tm_pull_coingecko.prom tm_pull_defillama.prom tm_pull_hyperliquid.prom tm_query.prom " \
    "metrics files"
}

# due ZONE UTC-INSTANT GUARD: whether GUARD (a crontab guard, \% unescaped) lets its line run
# on a machine in ZONE when the clock says UTC-INSTANT.
due() {
  local lib offset
  lib=$(dpkg -L libfaketime | grep '/libfaketime.so.1$' | head -n 1)
  offset=$(( $(date -u -d "$2" +%s) - $(date +%s) ))
  [ "$offset" -ge 0 ] && offset="+$offset"
  if env -i PATH=/usr/bin:/bin TZ="$1" LD_PRELOAD="$lib" FAKETIME="$offset" FAKETIME_DONT_FAKE_MONOTONIC=1 \
       sh -c "$3"; then echo yes; else echo no; fi
}

case_utc_guards_fire_at_utc_times_in_any_zone() {
  local lines
  lines=$(grep -E '^\* \* \* \* \* \[' "$CRONTAB" | sed 's/\\%/%/g')
  expect_eq "$(printf '%s\n' "$lines" | wc -l)" 5 "guarded lines"
  # Every line runs every minute: no field that cron would read in local time.
  expect_eq "$(grep -cE '^[0-9*@]' "$CRONTAB")" "$(grep -cE '^\* \* \* \* \* ' "$CRONTAB")" "lines with '* * * * *'"
  local artemis defillama compact
  artemis=$(printf '%s\n' "$lines" | grep 'pull artemis' | cut -d' ' -f6- | sed 's/ || exit 0;.*//')
  defillama=$(printf '%s\n' "$lines" | grep 'pull defillama' | cut -d' ' -f6- | sed 's/ || exit 0;.*//')
  compact=$(printf '%s\n' "$lines" | grep ' compact ' | cut -d' ' -f6- | sed 's/ || exit 0;.*//')
  # 2024-11-03: New York's clocks go back an hour at 06:00 UTC; 2024-03-10: forward at 07:00.
  local zone
  for zone in America/New_York Asia/Kolkata; do
    for day in 2024-03-10 2024-11-03 2024-11-04; do
      expect_eq "$(due "$zone" "${day}T00:05:00Z" "$artemis")" yes "Artemis at 00:05 UTC on $day, $zone"
      expect_eq "$(due "$zone" "${day}T00:06:00Z" "$artemis")" no "Artemis at 00:06 UTC on $day, $zone"
      # 00:05 on the local clock is another UTC time: not due.
      expect_eq "$(due "$zone" "$(date -u -d "@$(TZ=$zone date -d "$day 00:05" +%s)" +%FT%TZ)" "$artemis")" no "Artemis at 00:05 $zone time"
      expect_eq "$(due "$zone" "${day}T06:05:00Z" "$defillama")" yes "DefiLlama at 06:05 UTC on $day, $zone"
      expect_eq "$(due "$zone" "${day}T06:35:00Z" "$defillama")" no "DefiLlama at 06:35 UTC, $zone"
      expect_eq "$(due "$zone" "${day}T02:30:00Z" "$compact")" yes "tm compact at 02:30 UTC on $day, $zone"
    done
  done
}

case_systemd_units_verify_and_are_hardened() {
  local out="$E2E_TMP/units" envfile="$E2E_TMP/tm.env"
  cp -r "$TM_SOURCE_DIR/crontab/systemd" "$E2E_TMP/src-units"
  echo 'ARTEMIS_API_KEY="k-units"' >"$envfile"
  sed -i "s#^EnvironmentFile=.*#EnvironmentFile=-$envfile#" "$E2E_TMP/src-units/tm-.service.d/10-tm.conf"
  run install_schedule systemd --system --units "$E2E_TMP/src-units" --dest "$out" --no-enable --bin "$TM_BIN"
  expect_code 0
  expect_not_contains "$(cat "$out"/*.service "$out"/*/*.conf)" "@TM@" "installed units"
  for source in defillama artemis hyperliquid coingecko binance; do
    [ -f "$out/tm-pull@$source.timer" ] || { fail "no timer for $source"; continue; }
    expect_contains "$(cat "$out/tm-pull@$source.timer")" " UTC" "OnCalendar of $source"
    expect_contains "$(cat "$out/tm-pull@$source.timer")" "Persistent=true"
  done
  expect_contains "$(cat "$out/tm-pull@.service")" "ExecStart=$TM_BIN/tm pull %i -q"
  expect_contains "$(cat "$out/tm-compact.service")" "ExecStart=$TM_BIN/tm compact -q --config "
  local unit score
  for unit in tm-pull@defillama.service tm-pull@artemis.service tm-pull@coingecko.service tm-export.service tm-compact.service tm-db.service; do
    (cd "$out" && systemd-analyze verify "$out/$unit") >"$E2E_TMP/verify" 2>&1 || fail "$unit: $(cat "$E2E_TMP/verify")"
    score=$(SYSTEMD_UNIT_PATH="$out:" systemd-analyze security --offline=true "$unit" 2>&1 |
            sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
    echo "    $unit: exposure $score" >&2
    [ -n "$score" ] && awk -v s="$score" 'BEGIN { exit !(s <= 5.0) }' || fail "$unit: exposure ${score:-?} > 5.0"
  done
  # User units run as the user who installs them: no User= that a user manager cannot honour.
  run install_schedule systemd --units "$E2E_TMP/src-units" --dest "$E2E_TMP/user-units" --no-enable --bin "$TM_BIN"
  expect_code 0
  expect_not_contains "$(cat "$E2E_TMP/user-units/tm-.service.d/10-tm.conf")" "User=tm" "user units"
}

run_cases
