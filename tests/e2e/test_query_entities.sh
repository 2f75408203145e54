#!/usr/bin/env bash
# One identity across sources (config/entities.csv, tm setup --entities) and tm query.
. "$(dirname "$0")/lib.sh"
start_fixture_server
export TM_ARTEMIS_URL="$FIXTURE_URL/artemis" TM_NOW=2024-03-13T05:17:00Z ARTEMIS_API_KEY="q-$$-key"

seed() {
  tm pull artemis --assets sol,eth --metrics FEES,PRICE --rate-limit 100000 -q
  tm pull defillama --rate-limit 100000 -q
}

case_setup_loads_the_built_in_map_once() {
  new_database
  expect_sql "SELECT count(*) > 100 FROM entities" "t"
  expect_sql "SELECT string_agg(source || ':' || asset, ' ' ORDER BY source, asset) FROM entities WHERE entity = 'solana'" \
    "artemis:sol binance:SOLUSDT coinbase:SOL-USD coingecko:solana defillama:solana hyperliquid:SOL"
  printf 'entity,source,kind,asset\nsol-x,artemis,coin,sol\n' >"$E2E_TMP/mine.csv"
  run tm setup --entities "$E2E_TMP/mine.csv"
  expect_code 0
  expect_contains "$OUT" "entities: 1 rows from"
  # a later setup (an upgrade) keeps a map loaded by hand
  run tm setup
  expect_sql "SELECT count(*) FROM entities" "1"
}

case_bad_entities_file_changes_nothing() {
  new_database
  local before
  before=$(sql "SELECT count(*) FROM entities")
  printf 'entity,source,kind,asset\nsolana,artemis,coin,sol\nsol2,artemis,coin,sol\n' >"$E2E_TMP/dup.csv"
  run tm setup --entities "$E2E_TMP/dup.csv"
  expect_code 2
  expect_contains "$ERR" "dup.csv:3: artemis coin sol is already mapped above"
  printf 'entity,source,kind,asset\nsolana,artemis,token,sol\n' >"$E2E_TMP/kind.csv"
  run tm setup --entities "$E2E_TMP/kind.csv"
  expect_code 2
  expect_contains "$ERR" "kind.csv:2: unknown kind 'token'"
  expect_sql "SELECT count(*) FROM entities" "$before"
}

case_query_compares_sources_of_one_entity() {
  new_database
  seed
  run tm query history --entity ethereum --metric FEES --csv
  expect_code 0
  # The entity is DefiLlama's chain ethereum: the protocol of the same name (FEES_24H) is not it.
  expect_eq "$OUT" "$(printf 'entity,source,asset,metric,ts,value\nethereum,artemis,eth,FEES,2024-03-12T00:00:00Z,175.5978\nethereum,defillama,ethereum,CHAIN_FEES_24H,2024-03-12T00:00:00Z,6300')" "CSV"
  run tm query history --entity ethereum --metric FEES
  expect_contains "$OUT" "ethereum  artemis              eth       FEES            2024-03-12T00:00:00Z  175.6"
  expect_contains "$OUT" "ethereum  defillama  Ethereum  ethereum  CHAIN_FEES_24H  2024-03-12T00:00:00Z   6.3k"
  run tm query --source artemis --asset sol --metric PRICE --csv
  expect_eq "$(printf '%s\n' "$OUT" | wc -l)" "2" "latest rows + header"
  expect_contains "$OUT" "2024-03-12T00:00:00Z"
}

case_query_bad_input() {
  new_database
  run tm query --source nope
  expect_code 2
  expect_contains "$ERR" "unknown source 'nope' (known: artemis, binance, coinbase, coingecko, defillama, hyperliquid, kraken)"
  run tm query --entity atlantis
  expect_code 2
  expect_contains "$ERR" "unknown entity 'atlantis'"
  expect_one_line "$ERR"
  run tm query --entity solanna
  expect_code 2
  expect_contains "$ERR" "unknown entity 'solanna' (closest: solana"
  run tm query --since tomorrow
  expect_code 2
  run tm query sideways
  expect_code 2
}

case_csv_quotes_what_needs_quoting() {
  new_database
  sql "INSERT INTO series (source, kind, asset, metric) VALUES ('defillama', 'protocol', 'a,\"b\"'||chr(10)||'c', 'TVL');
       INSERT INTO points SELECT series_id, '2024-01-01', 1.5, NULL FROM series" >/dev/null
  run tm query history --csv
  expect_eq "$OUT" "$(printf 'entity,source,asset,metric,ts,value\n,defillama,"a,""b""\nc",TVL,2024-01-01T00:00:00Z,1.5')" "CSV"
}

run_cases
