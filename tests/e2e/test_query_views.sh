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
  expect_eq "$OUT" "$(printf 'entity,source,asset,metric,ts,value,points,rollup\nbitcoin,coingecko,bitcoin,PRICE,2024-03-11T00:00:00Z,311.75,24,f\nbitcoin,coingecko,bitcoin,PRICE,2024-03-12T00:00:00Z,311.75,24,f')" "daily average"
  run tm query history --interval day --source coingecko --csv
  expect_contains "$OUT" "PRICE,2024-03-12T00:00:00Z,323.25,24,f"
  run tm query latest --kind protocol
  expect_contains "$OUT" "defillama  Aave  aave"
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
  # Replacing a file keeps its mode; a new file follows the umask, as > would.
  chmod 600 "$E2E_TMP/keep.csv"
  run tm query history --csv -o "$E2E_TMP/keep.csv"
  expect_code 0
  expect_eq "$(stat -c %a "$E2E_TMP/keep.csv")" 600 "mode of a replaced file"
  expect_eq "$(wc -l <"$E2E_TMP/keep.csv")" 193 "replaced file lines"
  chmod 640 "$E2E_TMP/keep.csv"
  run tm query history --json -o "$E2E_TMP/keep.csv"
  expect_eq "$(stat -c %a "$E2E_TMP/keep.csv")" 640 "mode of a file replaced again"
  (umask 027 && tm query history --csv -o "$E2E_TMP/new027.csv") || fail "export under umask 027"
  expect_eq "$(stat -c %a "$E2E_TMP/new027.csv")" 640 "mode of a new file under umask 027"
  (umask 002 && tm query history --csv -o "$E2E_TMP/new002.csv") || fail "export under umask 002"
  expect_eq "$(stat -c %a "$E2E_TMP/new002.csv")" 664 "mode of a new file under umask 002"
}

# Four series whose values, ages and ids people read badly raw: a TVL in the billions, a pool
# UUID, a funding rate of 1.25e-05, a stablecoin numbered 1.
seed_for_people() {
  sql "INSERT INTO series (source, kind, asset, metric) VALUES ('defillama', 'protocol', 'curve', 'TVL'),
         ('defillama', 'pool', '747c1d2a-c668-4682-b9f9-296708a3dd90', 'APY'), ('hyperliquid', 'perp', 'BTC', 'FUNDING_RATE'),
         ('defillama', 'stablecoin', '1', 'STABLECOIN_SUPPLY');
       INSERT INTO assets (source, kind, asset, name, symbol) VALUES ('defillama', 'protocol', 'curve', 'Curve', 'CRV'),
         ('defillama', 'pool', '747c1d2a-c668-4682-b9f9-296708a3dd90', 'lido STETH', 'STETH'),
         ('defillama', 'stablecoin', '1', 'Tether', 'USDT');
       INSERT INTO points SELECT series_id, ts::timestamptz, v FROM series JOIN (VALUES
         ('curve', '2024-03-13T08:48:00Z', 16890071630.01999), ('747c1d2a-c668-4682-b9f9-296708a3dd90', '2024-03-13T11:59:15Z', 3.456789),
         ('BTC', '2024-03-11T08:00:00Z', 0.0000125), ('1', '2024-03-13T11:50:00Z', 52360)) x(asset, ts, v) USING (asset);
       INSERT INTO pulls (source, kind, status, started_at, finished_at, requests, points_seen) VALUES
         ('defillama', 'backfill', 'ok', '2024-03-12T23:05Z', '2024-03-12T23:06Z', 1234, 2345678)" >/dev/null
}

case_tables_are_for_people() {
  new_database
  seed_for_people
  export TM_NOW=2024-03-13T12:00:00Z
  run tm query latest
  expect_code 0
  # Names before ids, values to 4 significant digits, ages as 3h12m; the view's order.
  expect_eq "$OUT" "$(printf '%s\n' \
    'entity   source       name        asset                                 metric             ts                       value    age' \
    'tether   defillama    Tether      1                                     STABLECOIN_SUPPLY  2024-03-13T11:50:00Z    52.36k    10m' \
    '         defillama    lido STETH  747c1d2a-c668-4682-b9f9-296708a3dd90  APY                2024-03-13T11:59:15Z     3.457    45s' \
    '         defillama    Curve       curve                                 TVL                2024-03-13T08:48:00Z    16.89B  3h12m' \
    'bitcoin  hyperliquid              BTC                                   FUNDING_RATE       2024-03-11T08:00:00Z  1.25e-05   2d4h')" "latest table"
  # --sort orders by the column's value (numbers as numbers), by its name or its table header.
  run tm query latest --sort value --desc
  expect_eq "$(printf '%s\n' "$OUT" | awk 'NR > 1 {print $(NF-1)}' | paste -sd' ')" "16.89B 52.36k 3.457 1.25e-05" "--sort value --desc"
  run tm query latest --sort age
  expect_eq "$(printf '%s\n' "$OUT" | awk 'NR > 1 {print $NF}' | paste -sd' ')" "45s 10m 3h12m 2d4h" "--sort age"
  run tm query latest --sort name --desc
  expect_eq "$(printf '%s\n' "$OUT" | tail -n 1 | awk '{print $3}')" "BTC" "no name sorts last"
  # CSV and JSON stay exact; --sort applies to them too, by their own column names.
  run tm query latest --csv --sort age_s
  expect_eq "$OUT" "$(printf '%s\n' 'entity,source,asset,metric,ts,value,age_s' \
    ',defillama,747c1d2a-c668-4682-b9f9-296708a3dd90,APY,2024-03-13T11:59:15Z,3.456789,45' \
    'tether,defillama,1,STABLECOIN_SUPPLY,2024-03-13T11:50:00Z,52360,600' \
    ',defillama,curve,TVL,2024-03-13T08:48:00Z,16890071630.01999,11520' \
    'bitcoin,hyperliquid,BTC,FUNDING_RATE,2024-03-11T08:00:00Z,1.25e-05,187200')" "latest CSV"
  run tm query latest --json --sort value --desc --limit 1
  expect_eq "$OUT" "$(printf '[\n{"entity":null,"source":"defillama","asset":"curve","metric":"TVL","ts":"2024-03-13T08:48:00Z","value":16890071630.01999,"age_s":11520}\n]')" "JSON"
  # Counts grouped, ids as they are; the other views' tables run with the name join.
  run tm query pulls
  expect_contains "$OUT" "1,234"
  expect_contains "$OUT" "2,345,678"
  run tm query history --interval day --source defillama
  expect_code 0
  expect_contains "$OUT" "Tether      1"
  run tm query series --sort last_ts --desc
  expect_code 0
  expect_eq "$(printf '%s\n' "$OUT" | sed -n 2p | awk '{print $1}')" "2" "newest series first"
  run tm query assets
  expect_contains "$(printf '%s\n' "$OUT" | head -n 1)" "source     kind        name        symbol  asset"
  # Bad sorting: exit 2, naming the columns.
  run tm query latest --sort nope
  expect_code 2
  expect_one_line "$ERR"
  expect_contains "$ERR" "--sort nope: no such column here; choose one of entity, source, name, asset, metric, ts, value, age"
  run tm query latest --csv --sort name
  expect_code 2
  expect_contains "$ERR" "choose one of entity, source, asset, metric, ts, value, age_s"
  run tm query latest --desc
  expect_code 2
  expect_contains "$ERR" "--desc goes with --sort"
  run tm query --sql "SELECT 1" --sort x
  expect_code 2
  # --interactive lists an asset's name beside its id and finds a pool by it.
  OUT=$(interactive defillama STETH "" 1 show)
  expect_contains "$OUT" "747c1d2a-c668-4682-b9f9-296708a3dd90  (lido STETH: APY)"
  expect_contains "$OUT" "lido STETH  747c1d2a-c668-4682-b9f9-296708a3dd90  APY"
  expect_contains "$OUT" "1 rows"
  unset TM_NOW
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

case_interactive_picks_and_exports() {
  new_database
  seed
  OUT=$(TM_NOW=2024-03-13T00:00:00Z interactive 2 aave "" 3 "$E2E_TMP/picked.csv")
  expect_contains "$OUT" "source (2):"
  expect_contains "$OUT" "2) defillama  (2 series)"
  expect_contains "$OUT" "wrote 48 rows to $E2E_TMP/picked.csv"
  expect_contains "$OUT" "tm query history --source defillama --asset aave --metric TVL --since 2024-03-10T00:00:00Z"
  expect_eq "$(head -n 2 "$E2E_TMP/picked.csv" | tail -n 1)" ",defillama,aave,TVL,2024-03-11T00:00:00Z,100.25" "first exported row"
  # Narrowing by part of a name, then showing the rows here.
  OUT=$(TM_NOW=2024-03-13T00:00:00Z interactive coin bit "" 1 show)
  expect_contains "$OUT" "coingecko  Bitcoin  bitcoin  PRICE"
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
