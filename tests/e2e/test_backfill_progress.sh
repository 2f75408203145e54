#!/usr/bin/env bash
# tm backfill's progress: off a terminal a log line every TM_PROGRESS_INTERVAL (30 s by default);
# on a terminal (a pseudo-terminal here) a status line that never counts past its total and that
# log lines never run into.
. "$(dirname "$0")/lib.sh"
start_fixture_server
export TM_NOW=2024-03-13T05:17:00Z
CONFIG="$TM_SOURCE_DIR/tests/fixtures/config/defillama-backfill.csv"
FAST=(--rate-limit 100000 --retry-delay 10ms)
PROGRESS='backfill: ([0-9]+)/([0-9]+) requests, [0-9,]+ points, [0-9,]+ points/s, ETA [0-9a-z?]+'

# One chunk answers after 3 s, so the run lasts that long.
slow_chunk() {
  fault '{"path": "/defillama/summary/fees/uniswap-v3", "times": 1, "delay": 3}'
}

case_off_a_terminal_a_log_line_every_interval() {
  new_database
  slow_chunk
  TM_PROGRESS_INTERVAL=500ms run tm backfill defillama --config "$CONFIG" "${FAST[@]}"
  expect_code 0
  local lines
  lines=$(printf '%s\n' "$ERR" | grep -E " tm-backfill info: $PROGRESS\$")
  [ "$(printf '%s\n' "$lines" | grep -c .)" -ge 3 ] || fail "expected a progress line every 0.5 s of 3 s: $ERR"
  printf '%s\n' "$lines" | python3 -c "
import re, sys
for line in sys.stdin:
    done, total = map(int, re.search(r'(\d+)/(\d+) requests', line).groups())
    assert 0 <= done <= total, line" || fail "a progress line counts past its total: $lines"
  expect_not_contains "$ERR" $'\r' "log off a terminal"
  # The default interval is 30 s: a 3 s run prints none; -q prints none.
  new_database
  slow_chunk
  run tm backfill defillama --config "$CONFIG" "${FAST[@]}"
  expect_not_contains "$ERR" "requests, " "log at the default interval"
  new_database
  slow_chunk
  TM_PROGRESS_INTERVAL=100ms run tm backfill defillama --config "$CONFIG" "${FAST[@]}" -q
  expect_eq "$ERR" "" "log with -q"
  TM_PROGRESS_INTERVAL=soon run tm backfill defillama --config "$CONFIG"
  expect_code 2
  expect_contains "$ERR" "TM_PROGRESS_INTERVAL 'soon' is not a duration"
}

case_on_a_terminal_a_status_line_that_log_lines_do_not_run_into() {
  new_database
  slow_chunk
  # A retried chunk writes a log line while the status line is up.
  fault '{"path": "/defillama/summary/dexs/uniswap-v3", "times": 1, "status": 503, "delay": 1}'
  python3 - "$TM_BIN/tm" "$CONFIG" "$E2E_TMP/tty.out" <<'PY' || fail "no pseudo-terminal run"
import os, pty, sys
tm, config, out = sys.argv[1:4]
pid, fd = pty.fork()
if pid == 0:
    os.execv(tm, [tm, "backfill", "defillama", "--config", config, "--rate-limit", "100000",
                  "--retry-delay", "10ms"])
data = b""
while True:
    try:
        chunk = os.read(fd, 65536)
    except OSError:
        break
    if not chunk:
        break
    data += chunk
_, status = os.waitpid(pid, 0)
open(out, "wb").write(data)
sys.exit(os.waitstatus_to_exitcode(status))
PY
  python3 - "$E2E_TMP/tty.out" "$PROGRESS" <<'PY' || fail "terminal output: $(cat -v "$E2E_TMP/tty.out")"
import re, sys
data = open(sys.argv[1], "rb").read().decode()
frames = [m for m in re.finditer(sys.argv[2], data)]
assert len(frames) >= 2, "expected the status line drawn several times"
for m in frames:
    # Each drawing starts on a cleared line and counts no further than its total.
    assert data[: m.start()].endswith("\r\x1b[K"), repr(data[max(0, m.start() - 40): m.end()])
    assert int(m.group(1)) <= int(m.group(2)), m.group(0)
assert frames[-1].group(1) == frames[-1].group(2), "the last drawing is the finished run"
logs = list(re.finditer(r"\d{4}-\d\d-\d\dT[0-9:.]+Z tm-backfill (info|warning|error): ", data))
assert any("retry 1/4" in data[m.end(): m.end() + 200] for m in logs), "no retry log line"
for m in logs:
    # A log line starts on a line of its own: after a newline or the cleared status line.
    before = data[: m.start()]
    assert before == "" or before.endswith("\n") or before.endswith("\r\x1b[K"), \
        repr(data[max(0, m.start() - 80): m.start() + 40])
PY
}

run_cases
