#!/usr/bin/env bash
# config/grafana: every panel and variable query of the shipped dashboards, expanded the way
# Grafana's PostgreSQL data source expands it (tests/support/grafana_queries.py), runs as
# tm_reader — connected as the provisioned data source says — against a store filled by real
# pulls, a backfill and a detect run, and returns rows of the shape its panel needs.
. "$(dirname "$0")/lib.sh"
start_fixture_server
export TM_HYPERLIQUID_URL="$FIXTURE_URL/hyperliquid" TM_COINGECKO_URL="$FIXTURE_URL/coingecko" \
  TM_BINANCE_URL="$FIXTURE_URL/binance" TM_KRAKEN_URL="$FIXTURE_URL/kraken"
CHECK="$TM_SOURCE_DIR/tests/support/grafana_queries.py"
FAST=(-q --rate-limit 100000 --retry-delay 10ms)

# Grafana's own environment, as the data source file reads it.
grafana_env() {
  TM_DATABASE_HOST="$PGHOST:$PGPORT" TM_DATABASE_NAME="${TM_DATABASE_URL#dbname=}" \
    TM_DATABASE_READER_PASSWORD="grafana-$$-marker" TM_DATABASE_SSLMODE=disable "$@"
}
# From before the first point to after the last pull (the journal keeps wall-clock times).
check_queries() { # check_queries CONFIG_DIR
  grafana_env python3 "$CHECK" --config "$1" --from 2024-02-01T00:00:00Z --to "$(date -u -d '+1 hour' +%FT%TZ)"
}

# Three days of hourly snapshots of every kind of feed, a month of daily prices, and alerts.
populate() {
  local t
  for t in 2024-03-11T05:17:00Z 2024-03-12T05:17:00Z 2024-03-13T05:17:00Z; do
    TM_NOW=$t tm pull defillama "${FAST[@]}" || fail "pull defillama at $t"
    TM_NOW=$t tm pull hyperliquid "${FAST[@]}" || fail "pull hyperliquid at $t"
    TM_NOW=$t tm pull coingecko "${FAST[@]}" || fail "pull coingecko at $t"
    TM_NOW=$t tm pull binance --assets BTCUSDT,ETHUSDT "${FAST[@]}" || fail "pull binance at $t"
    # NOPEUSD is no Kraken pair: a partial pull (exit 3), so the journal has errors to show.
    TM_NOW=$t tm pull kraken --assets XBTUSD,NOPEUSD "${FAST[@]}" 2>/dev/null
    [ $? = 3 ] || fail "pull kraken with an unknown pair at $t: expected exit 3"
  done
  TM_NOW=2024-03-13T05:17:00Z tm backfill coingecko --since 2024-02-12 --until 2024-03-12 "${FAST[@]}" || fail "backfill"
  TM_NOW=2024-03-13T05:20:00Z tm detect -q >/dev/null || fail "detect"
  expect_sql "SELECT count(*) > 0 FROM alerts" "t"
  expect_sql "SELECT count(*) > 0 FROM pull_errors" "t"
}

case_the_emulation_matches_grafanas_own_test_cases() {
  run python3 "$CHECK" --self-test
  expect_code 0
  expect_contains "$OUT" "self-test: 0 failures"
}

case_every_dashboard_query_runs_and_returns_rows() {
  new_database
  populate
  run check_queries "$TM_SOURCE_DIR/config/grafana"
  expect_code 0
  expect_contains "$OUT" "connected as tm_reader (read-only: on)"
  # Seed 000's and 003's panels, each run and answered.
  for panel in "TVL — top \$top protocols" "Pool APY" "Pool utilization" "Recent alerts" \
               "Daily candles" "Price — \$asset" "Funding rates" "Feeds" "Pull duration" "Failed requests"; do
    expect_contains "$OUT" "/ $panel" "checked panels"
  done
  local n
  n=$(printf '%s\n' "$OUT" | grep -c '^ok   tm-.*rows, columns')
  [ "$n" -ge 20 ] || fail "only $n panel queries ran: $OUT"
  expect_not_contains "$OUT" "grafana-$$-marker" "checker output"
  printf '%s\n' "$OUT" | grep '^FAIL' >&2
}

case_a_broken_or_empty_panel_is_caught() {
  new_database
  populate
  local copy="$E2E_TMP/grafana"
  rm -rf "$copy"
  cp -r "$TM_SOURCE_DIR/config/grafana" "$copy"
  # A column that does not exist, an unknown macro, and a time series out of order.
  python3 - "$copy/dashboards/tm-defi.json" <<'PY'
import json, sys
path = sys.argv[1]
d = json.load(open(path))
by_title = {p["title"]: p for p in d["panels"]}
t = by_title["Pool APY"]["targets"][0]
t["rawSql"] = t["rawSql"].replace("avg(p.value)", "avg(p.no_such_column)")
t = by_title["Pool utilization"]["targets"][0]
t["rawSql"] = t["rawSql"].replace("$__timeFilter(p.ts)", "$__timeFilterr(p.ts)")
t = by_title["Chain TVL — top $top chains"]["targets"][0]
t["rawSql"] = t["rawSql"].replace("ORDER BY 1", "ORDER BY 1 DESC")
json.dump(d, open(path, "w"))
PY
  run check_queries "$copy"
  expect_code 1
  expect_contains "$OUT" "FAIL tm-defi.json / Pool APY / A: query failed"
  expect_contains "$OUT" "no_such_column"
  expect_contains "$OUT" "FAIL tm-defi.json / Pool utilization / A: interpolation failed: unknown macro '__timeFilterr'"
  expect_contains "$OUT" "FAIL tm-defi.json / Chain TVL — top \$top chains / A: time series not sorted ascending"
  expect_contains "$OUT" "3 failures"

  # A literal password in the data source file is refused.
  sed -i 's/password: \${TM_DATABASE_READER_PASSWORD}/password: hunter2/' "$copy/provisioning/datasources/tm.yaml"
  run check_queries "$copy"
  expect_code 1
  expect_contains "$OUT" "secureJsonData.password must be one \${VARIABLE}"

  # An empty store: every panel must say it returned no rows.
  new_database
  run check_queries "$TM_SOURCE_DIR/config/grafana"
  expect_code 1
  expect_contains "$OUT" "FAIL tm-defi.json \$protocol: query returned no values"
  expect_contains "$OUT" "FAIL tm-feeds.json / Pull duration / A: returned no rows"
}

case_the_data_source_file_holds_no_secret() {
  local ds="$TM_SOURCE_DIR/config/grafana/provisioning/datasources/tm.yaml"
  expect_contains "$(cat "$ds")" 'password: ${TM_DATABASE_READER_PASSWORD}'
  expect_contains "$(cat "$ds")" "user: tm_reader"
  # Every value that differs per installation comes from Grafana's environment.
  for v in TM_DATABASE_HOST TM_DATABASE_NAME TM_DATABASE_SSLMODE; do
    expect_contains "$(cat "$ds")" "\${$v}"
  done
}

run_cases
