#!/usr/bin/env bash
# The shipped schedules: every crontab line parses and every scheduled command exists and
# accepts its flags; scripts/install-schedule writes cron and systemd schedules.
. "$(dirname "$0")/lib.sh"
start_fixture_server
CRONTAB="$TM_SOURCE_DIR/crontab/tm.crontab"

case_every_crontab_line_parses() {
  python3 - "$CRONTAB" <<'PY' || fail "crontab/tm.crontab has a malformed line"
import re, sys
limits = [(0, 59), (0, 23), (1, 31), (1, 12), (0, 7)]
def field_ok(text, lo, hi):
    for part in text.split(","):
        m = re.fullmatch(r"(\*|(\d+)(?:-(\d+))?)(?:/(\d+))?", part)
        if not m:
            return False
        a, b, step = m.group(2), m.group(3), m.group(4)
        if a is not None and not (lo <= int(a) <= hi and (b is None or int(a) <= int(b) <= hi)):
            return False
        if step is not None and int(step) < 1:
            return False
    return True
jobs = 0
for n, line in enumerate(open(sys.argv[1]), 1):
    line = line.strip()
    if not line or line.startswith("#") or re.fullmatch(r"[A-Z_]+=\S*", line):
        continue
    fields = line.split(None, 5)
    assert len(fields) == 6, f"line {n}: expected 5 time fields and a command: {line}"
    for text, (lo, hi) in zip(fields[:5], limits):
        assert field_ok(text, lo, hi), f"line {n}: bad time field {text!r}"
    assert fields[5].startswith("$TM "), f"line {n}: command does not start with $TM"
    jobs += 1
assert jobs >= 6, jobs
text = open(sys.argv[1]).read()
assert "CRON_TZ=UTC" in text
for cmd in ("pull defillama", "pull artemis", "pull hyperliquid", "pull coingecko", "pull binance", "detect", "query history"):
    assert cmd in text, cmd
PY
}

case_every_scheduled_command_is_accepted() {
  run "$TM_SOURCE_DIR/scripts/install-schedule" cron --print --bin "$TM_BIN"
  expect_code 0
  expect_contains "$OUT" "# BEGIN tm (scripts/install-schedule)"
  expect_contains "$OUT" "TM=$TM_BIN/tm"
  expect_contains "$OUT" "# END tm"
  # The check itself: a flag a command does not take is refused, nothing runs.
  TM_CHECK_ARGS=1 run tm pull defillama -q --no-such-flag
  expect_code 2
  TM_CHECK_ARGS=1 TM_DATABASE_URL_WRITER="dbname=tm_never_$$" run tm detect -q --rule tvl_drop
  expect_code 0
  expect_eq "$ERR" "" "stderr of a checked command"
}

case_systemd_units() {
  run "$TM_SOURCE_DIR/scripts/install-schedule" systemd --dest "$E2E_TMP/units" --no-enable --bin "$TM_BIN"
  expect_code 0
  for source in defillama artemis hyperliquid coingecko binance; do
    [ -f "$E2E_TMP/units/tm-pull@$source.timer" ] || fail "no timer for $source"
    expect_contains "$(cat "$E2E_TMP/units/tm-pull@$source.timer")" "Persistent=true"
    expect_contains "$(cat "$E2E_TMP/units/tm-pull@$source.timer")" "RandomizedDelaySec="
  done
  expect_contains "$(cat "$E2E_TMP/units/tm-pull@.service")" "ExecStart=$TM_BIN/tm pull %i -q"
  expect_contains "$(cat "$E2E_TMP/units/tm-pull@.service")" "ExecStartPost=-$TM_BIN/tm detect -q"
  expect_not_contains "$(cat "$E2E_TMP"/units/*)" "@TM@" "installed units"
  if command -v systemd-analyze >/dev/null 2>&1; then
    for t in "$E2E_TMP"/units/*.timer; do
      systemd-analyze calendar "$(sed -n 's/^OnCalendar=//p' "$t")" >/dev/null || fail "OnCalendar of $t"
    done
  fi
  run "$TM_SOURCE_DIR/scripts/install-schedule" launchd
  expect_code 2
}

run_cases
