#!/usr/bin/env bash
# tm query: every view and format, CSV byte for byte against psql \copy, JSON and NDJSON that
# parse, --csv-safe, -o written atomically, --interval/--agg, --sql read-only, bad input.
. "$(dirname "$0")/lib.sh"
start_fixture_server
NASTY="=cmd() \"q\", b"$'\n'"c"

seed() {
  sql "INSERT INTO series (source, kind, asset, metric) VALUES ('defillama', 'protocol', 'aave', 'TVL'),
         ('defillama', 'protocol', \$\$$NASTY\$\$, 'TVL'), ('coingecko', 'coin', 'bitcoin', 'PRICE');
       INSERT INTO points SELECT s.series_id, t, s.series_id * 100 + extract(hour FROM t) + 0.25
         FROM series s, generate_series('2024-03-11T00:00Z'::timestamptz, '2024-03-12T23:00Z', '1 hour') t;
       INSERT INTO assets (source, kind, asset, name) VALUES ('defillama', 'protocol', 'aave', 'Aave'),
         ('coingecko', 'coin', 'bitcoin', 'Bitcoin');
       INSERT INTO pulls (source, kind, status, started_at, finished_at, requests) VALUES
         ('defillama', 'pull', 'ok', '2024-03-12T23:05Z', '2024-03-12T23:06Z', 14);
       INSERT INTO alerts (rule, series_id, status, severity, opened_at, last_seen_at, value, baseline, message)
         SELECT 'tvl_drop', series_id, 'open', 'critical', '2024-03-12T10:00Z', '2024-03-12T11:00Z', 75, 100, 'TVL down 25.0%'
         FROM series WHERE asset = 'aave'" >/dev/null
}

case_csv_is_byte_identical_to_psql_copy() {
  new_database
  seed
  tm query history --csv >"$E2E_TMP/tm.csv" || fail "tm query failed"
  psql -qX -d "${TM_DATABASE_URL#dbname=}" -c "\\copy (SELECT e.entity, s.source, s.asset, s.metric, tm_iso(p.ts) AS ts, p.value FROM points p JOIN series s USING (series_id) LEFT JOIN LATERAL (SELECT entity FROM entities e WHERE e.source = s.source AND e.asset = s.asset ORDER BY entity LIMIT 1) e ON true ORDER BY s.source, s.asset, s.metric, p.ts) TO STDOUT CSV HEADER" >"$E2E_TMP/psql.csv"
  cmp -s "$E2E_TMP/tm.csv" "$E2E_TMP/psql.csv" || fail "CSV differs from psql \\copy: $(diff "$E2E_TMP/tm.csv" "$E2E_TMP/psql.csv" | head -5)"
  expect_eq "$(wc -l <"$E2E_TMP/tm.csv")" 193 "CSV lines (header, 144 points, 48 embedded newlines)"
  # The quote, comma, newline and =cmd() survive a CSV reader.
  python3 - "$E2E_TMP/tm.csv" "$NASTY" <<'PY' || fail "CSV does not round-trip the asset name"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
assert len(rows) == 144, len(rows)
assert sum(r["asset"] == sys.argv[2] for r in rows) == 48
assert rows[0]["ts"] == "2024-03-11T00:00:00Z" and rows[0]["value"] == "300.25", rows[0]
PY
  run tm query history --csv --csv-safe --metric TVL
  expect_contains "$OUT" ",defillama,\"'=cmd() \"\"q\"\", b"
  run tm query history --csv --metric TVL
  expect_contains "$OUT" ",defillama,\"=cmd() \"\"q\"\", b"
}

case_json_and_ndjson_parse() {
  new_database
  seed
  run tm query history --json --source coingecko --since 2024-03-12T22:00Z
  expect_code 0
  printf '%s' "$OUT" | python3 -c "
import json, sys
rows = json.load(sys.stdin)
assert rows == [
  {'entity': 'bitcoin', 'source': 'coingecko', 'asset': 'bitcoin', 'metric': 'PRICE', 'ts': '2024-03-12T22:00:00Z', 'value': 322.25},
  {'entity': 'bitcoin', 'source': 'coingecko', 'asset': 'bitcoin', 'metric': 'PRICE', 'ts': '2024-03-12T23:00:00Z', 'value': 323.25}], rows
" || fail "JSON: $OUT"
  run tm query latest --ndjson
  expect_code 0
  printf '%s\n' "$OUT" | python3 -c "
import json, sys
rows = [json.loads(l) for l in sys.stdin if l.strip()]
assert len(rows) == 3 and all(r['ts'] == '2024-03-12T23:00:00Z' and isinstance(r['age_s'], int) for r in rows), rows
" || fail "NDJSON: $OUT"
  run tm query history --json --source coingecko --since 2030-01-01
  expect_eq "$OUT" "[]" "empty JSON"
}

case_other_views() {
  new_database
  seed
  run tm query alerts --csv
  expect_contains "$OUT" "alert_id,rule,severity,status,source,asset,metric,subject,opened_at,last_seen_at,resolved_at,value,baseline,message,notified"
  expect_contains "$OUT" ",tvl_drop,critical,open,defillama,aave,TVL,,2024-03-12T10:00:00Z,2024-03-12T11:00:00Z,,75,100,TVL down 25.0%,f"
  run tm query alerts --status resolved --csv
  expect_eq "$(printf '%s\n' "$OUT" | wc -l)" 1 "resolved alerts (header only)"
  run tm query pulls --json
  printf '%s' "$OUT" | python3 -c "import json,sys; r=json.load(sys.stdin)[0]; assert r['source']=='defillama' and r['requests']==14 and r['status']=='ok', r" \
    || fail "pulls JSON: $OUT"
  run tm query assets --kind coin --csv
  expect_eq "$OUT" "$(printf 'source,kind,asset,name,symbol,chain,updated_at\ncoingecko,coin,bitcoin,Bitcoin,,,')$(sql "SELECT tm_iso(updated_at) FROM assets WHERE asset = 'bitcoin'")" "assets"
  run tm query series --source defillama --asset aave --csv
  expect_contains "$OUT" ",,defillama,aave,TVL,protocol,,2024-03-11T00:00:00Z,2024-03-12T23:00:00Z"
  run tm query history --interval day --agg avg --source coingecko --csv
  expect_eq "$OUT" "$(printf 'entity,source,asset,metric,ts,value,points\nbitcoin,coingecko,bitcoin,PRICE,2024-03-11T00:00:00Z,311.75,24\nbitcoin,coingecko,bitcoin,PRICE,2024-03-12T00:00:00Z,311.75,24')" "daily average"
  run tm query history --interval day --source coingecko --csv
  expect_contains "$OUT" "PRICE,2024-03-12T00:00:00Z,323.25,24"
  run tm query latest --kind protocol
  expect_contains "$OUT" "defillama  aave"
  expect_not_contains "$OUT" "coingecko"
}

case_output_file_is_atomic() {
  new_database
  seed
  run tm query history --csv -o "$E2E_TMP/out.csv"
  expect_code 0
  expect_eq "$OUT" "" "stdout with -o"
  expect_eq "$(wc -l <"$E2E_TMP/out.csv")" 193 "file lines"
  echo "old" >"$E2E_TMP/keep.csv"
  run tm query --sql "SELECT 1 / (value - value) FROM points" --csv -o "$E2E_TMP/keep.csv"
  expect_code 1
  expect_eq "$(cat "$E2E_TMP/keep.csv")" "old" "file after a failed export"
  expect_eq "$(ls "$E2E_TMP" | grep -c 'keep.csv.tmp')" 0 "temporary files left"
}

case_sql_is_read_only() {
  new_database
  seed
  run tm query --sql "SELECT source, count(*) AS n, bool_and(true) AS ok FROM series GROUP BY 1 ORDER BY 1;" --json
  expect_code 0
  expect_eq "$OUT" "$(printf '[\n{"source":"coingecko","n":1,"ok":true},\n{"source":"defillama","n":2,"ok":true}\n]')" "--sql JSON"
  run tm query --sql "DELETE FROM points RETURNING 1"
  expect_code 1
  expect_contains "$ERR" "--sql: cannot execute DELETE in a read-only transaction"
  expect_one_line "$ERR"
  run tm query --sql "SELECT 1; DELETE FROM points"
  expect_code 2
  run tm query --sql "SELECT * FROM nothing_here"
  expect_code 2
  expect_contains "$ERR" "nothing_here"
  expect_sql "SELECT count(*) FROM points" "144"
}

# Drives `tm query --interactive` through a pseudo-terminal: ANSWERS one per prompt.
interactive() {
  TM_NOW=2024-03-13T00:00:00Z python3 - "$TM_BIN/tm" "$@" <<'PY'
import os, pty, select, sys, time
tm, answers = sys.argv[1], sys.argv[2:]
pid, fd = pty.fork()
if pid == 0:
    os.execv(tm, [tm, "query", "--interactive"])
seen, deadline = b"", time.time() + 20
def read_until_prompt():
    global seen
    while time.time() < deadline:
        r, _, _ = select.select([fd], [], [], 0.2)
        if r:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                return False
            if not chunk:
                return False
            seen += chunk
            if seen.rstrip().endswith(b"]:"):
                return True
    return False
for a in answers:
    if not read_until_prompt():
        break
    seen += b"<" + a.encode() + b">"
    os.write(fd, a.encode() + b"\n")
read_until_prompt()
os.waitpid(pid, 0)
sys.stdout.write(seen.decode(errors="replace").replace("\r", ""))
PY
}

case_interactive_picks_and_exports() {
  new_database
  seed
  OUT=$(interactive 2 aave "" 3 "$E2E_TMP/picked.csv")
  expect_contains "$OUT" "source (2):"
  expect_contains "$OUT" "2) defillama  (2 series)"
  expect_contains "$OUT" "wrote 48 rows to $E2E_TMP/picked.csv"
  expect_contains "$OUT" "tm query history --source defillama --asset aave --metric TVL --since 2024-03-10T00:00:00Z"
  expect_eq "$(head -n 2 "$E2E_TMP/picked.csv" | tail -n 1)" ",defillama,aave,TVL,2024-03-11T00:00:00Z,100.25" "first exported row"
  # Narrowing by part of a name, then showing the rows here.
  OUT=$(interactive coin bit "" 1 show)
  expect_contains "$OUT" "coingecko  bitcoin  PRICE"
  expect_contains "$OUT" "24 rows"
  run tm query --interactive </dev/null
  expect_code 2
  expect_contains "$ERR" "--interactive needs a terminal"
}

case_bad_input() {
  new_database
  seed
  run tm query --metric TLV
  expect_code 2
  expect_contains "$ERR" "unknown metric 'TLV' (stored: PRICE, TVL)"
  run tm query --csv --json
  expect_code 2
  run tm query alerts --interval day
  expect_code 2
  expect_contains "$ERR" "--interval goes with the history view"
  run tm query history --agg avg
  expect_code 2
  run tm query history --interval month
  expect_code 2
  run tm query pulls --entity bitcoin
  expect_code 2
  run tm query --until yesterday-ish
  expect_code 2
}

run_cases
