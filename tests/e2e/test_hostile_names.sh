#!/usr/bin/env bash
# Names from APIs that try to drive the terminal (clear the screen, set the window title, an
# 8-bit CSI): stored exactly, exported exactly by CSV, JSON and NDJSON, and shown escaped by
# every table, log line, status, detect event and interactive list.
. "$(dirname "$0")/lib.sh"

# The recorded fixtures, with one DefiLlama protocol and one Hyperliquid coin renamed.
ROOT="$E2E_TMP/fixtures"
cp -r "$TM_SOURCE_DIR/tests/fixtures/http" "$ROOT"
python3 - "$ROOT" <<'PY'
import json, sys
root = sys.argv[1]
evil = "\x1b[2J\x1b]0;pwned\x07\u009b31m"
path = root + "/defillama/protocols.json"
protocols = json.load(open(path))
protocols[0].update(name="Evil " + evil, slug="evil-" + evil, symbol=evil)
json.dump(protocols, open(path, "w"))  # ensure_ascii: the file says \u001b, the parser decodes it
path = root + "/hyperliquid/info@type=metaAndAssetCtxs.json"
meta = json.load(open(path))
meta[0]["universe"][0]["name"] = "BTC" + evil
json.dump(meta, open(path, "w"))
PY
start_fixture_server "$ROOT"
export TM_HYPERLIQUID_URL="$FIXTURE_URL/hyperliquid"
EVIL=$'\e[2J\e]0;pwned\a\xc2\x9b31m'
SHOWN='\x1b[2J\x1b]0;pwned\x07\u009b31m'

# Fails when TEXT ($1) holds a byte a terminal acts on: ESC, BEL, or a C1 control in UTF-8.
expect_terminal_clean() {
  printf '%s' "$1" | python3 -c "
import re, sys
data = sys.stdin.buffer.read()
bad = re.search(rb'[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]', data)
sys.exit(1 if bad else 0)" || fail "$2 holds raw control characters"
}

pull_both() {
  TM_NOW=2024-03-13T05:17:00Z run tm pull defillama -v --rate-limit 100000 --retries 0 "$@"
  PULL_ERR=$ERR
  PULL_CODE=$CODE
  TM_NOW=2023-07-18T05:17:00Z run tm pull hyperliquid --rate-limit 100000 "$@"
}

case_stored_exactly_shown_escaped() {
  new_database
  # An error body of the same kind reaches the log and the journal.
  fault '{"path": "/defillama/v2/chains", "times": -1, "status": 500, "body": "\u001b]0;pwned\u0007 boom"}'
  pull_both
  expect_eq "$PULL_CODE" 3 "defillama pull (one endpoint failing)"
  expect_code 0
  expect_contains "$PULL_ERR" 'HTTP 500 (\x1b]0;pwned\x07 boom)'
  expect_terminal_clean "$PULL_ERR" "the pull's log"
  expect_sql "SELECT count(*) FROM assets WHERE name = 'Evil ' || E'\\x1b[2J\\x1b]0;pwned\\x07\\u009b31m'" 1
  local coin_series
  coin_series=$(sql "SELECT count(*) FROM series WHERE asset = 'BTC' || E'\\x1b[2J\\x1b]0;pwned\\x07\\u009b31m'")
  [ "$coin_series" -gt 0 ] || fail "no series of the hostile coin"

  # Tables: escaped.
  run tm query assets
  expect_code 0
  expect_terminal_clean "$OUT" "tm query assets"
  expect_contains "$OUT" "Evil $SHOWN"
  expect_contains "$OUT" "BTC$SHOWN"
  run tm query latest --metric TVL
  expect_terminal_clean "$OUT" "tm query latest"
  expect_contains "$OUT" "evil-$SHOWN"
  run tm query pulls
  expect_terminal_clean "$OUT" "tm query pulls"
  expect_contains "$OUT" 'HTTP 500 (\x1b]0;pwned\x07 boom)'
  run tm status
  expect_terminal_clean "$OUT$ERR" "tm status"

  # CSV, JSON, NDJSON: the exact bytes.
  run tm query assets --csv
  printf '%s' "$OUT" | python3 -c "
import csv, sys
names = {r['name'] for r in csv.DictReader(sys.stdin)}
assert 'Evil ' + sys.argv[1] in names, names" "$EVIL" || fail "CSV does not carry the exact name"
  run tm query assets --json
  expect_terminal_clean "$OUT" "JSON (control characters are JSON escapes)"
  printf '%s' "$OUT" | python3 -c "
import json, sys
rows = json.load(sys.stdin)
assert any(r['name'] == 'Evil ' + sys.argv[1] for r in rows)
assert any(r['asset'] == 'BTC' + sys.argv[1] for r in rows)" "$EVIL" || fail "JSON does not carry the exact names"
  run tm query latest --ndjson --source hyperliquid
  printf '%s\n' "$OUT" | python3 -c "
import json, sys
rows = [json.loads(l) for l in sys.stdin if l.strip()]
assert sum(r['asset'] == 'BTC' + sys.argv[1] for r in rows) == int(sys.argv[2]), rows" "$EVIL" "$coin_series" \
    || fail "NDJSON does not carry the exact coin"
  run tm query pulls --csv
  expect_contains "$OUT" $'HTTP 500 (\e]0;pwned\a boom)' "pulls CSV"

  # JSON logs: escapes, which decode to the exact text.
  TM_NOW=2024-03-13T05:17:00Z run tm pull defillama --log-format json --rate-limit 100000 --retries 0
  expect_terminal_clean "$ERR" "JSON log"
  printf '%s\n' "$ERR" | python3 -c "
import json, sys
msgs = [json.loads(l)['msg'] for l in sys.stdin if l.strip()]
assert any('\x1b]0;pwned\x07 boom' in m for m in msgs), msgs" || fail "JSON log does not decode to the exact error"
}

case_detect_events_and_alert_log() {
  new_database
  pull_both
  # Half the TVL a day earlier: the hostile protocol's TVL dropped 50%.
  sql "INSERT INTO points SELECT series_id, '2024-03-12T04:00Z', 2 * value FROM points
       JOIN series USING (series_id) WHERE asset LIKE 'evil-%' AND metric = 'TVL'" >/dev/null
  TM_NOW=2024-03-13T05:17:00Z run tm detect --rule tvl_drop --alert-log "$E2E_TMP/alerts.log"
  expect_code 0
  expect_contains "$OUT" "opened critical tvl_drop defillama/evil-$SHOWN/TVL"
  expect_terminal_clean "$OUT$ERR" "tm detect"
  expect_terminal_clean "$(cat "$E2E_TMP/alerts.log")" "the alert log"
  expect_eq "$(wc -l <"$E2E_TMP/alerts.log")" 1 "alert log lines"
  run tm query alerts
  expect_terminal_clean "$OUT" "tm query alerts"
  run tm query alerts --csv
  expect_contains "$OUT" "evil-$EVIL" "alerts CSV"
}

case_interactive_lists() {
  new_database
  pull_both
  OUT=$(interactive hyperliquid q)
  expect_contains "$OUT" "BTC$SHOWN"
  expect_terminal_clean "$OUT" "the interactive list"
}

run_cases
