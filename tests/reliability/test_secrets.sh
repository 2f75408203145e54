#!/usr/bin/env bash
# Secrets sweep: every command runs with every key set to a marker value, verbose, JSON logs,
# recording, metrics files, an alert log and webhooks, on success and on injected failures; no
# marker may appear in stdout, stderr, recordings, metrics files, the alert log or any table.
. "$(dirname "$0")/../e2e/lib.sh"
start_fixture_server
M=mk$$zq # marker prefix: every secret below contains it
KEY_LLAMA="llama-$M-1" KEY_ARTEMIS="artemis-$M-2" KEY_CG="cg-$M-3" HOOK_SECRET="whsec-$M-4"
export TM_NOW=2024-03-13T05:17:00Z
export TM_ARTEMIS_URL="$FIXTURE_URL/artemis" TM_COINGECKO_URL="$FIXTURE_URL/coingecko/pro"
export TM_HYPERLIQUID_URL="$FIXTURE_URL/hyperliquid" TM_BINANCE_URL="$FIXTURE_URL/binance"
export TM_KRAKEN_URL="$FIXTURE_URL/kraken" TM_COINBASE_URL="$FIXTURE_URL/coinbase"
export TM_DEFILLAMA_PRO_URL="$FIXTURE_URL/pro"
export DEFILLAMA_API_KEY=$KEY_LLAMA ARTEMIS_API_KEY=$KEY_ARTEMIS COINGECKO_PRO_API_KEY=$KEY_CG
export SLACK_WEBHOOK_URL="$FIXTURE_URL/hooks/slack/T-$M-5/B0/x" TM_WEBHOOK_URL="$FIXTURE_URL/hooks/generic-$M-6"
export TM_WEBHOOK_SECRET=$HOOK_SECRET
OUTS="$E2E_TMP/outputs"
mkdir -p "$OUTS" "$E2E_TMP/metrics" "$E2E_TMP/rec"
export TM_METRICS_DIR="$E2E_TMP/metrics"
n=0
# every COMMAND...: runs it verbose with JSON logs and keeps what it printed.
every() {
  n=$((n + 1))
  local command=$1
  shift
  "$TM_BIN/tm" "$command" --db "$DB_WITH_PASSWORD" "$@" >"$OUTS/$n.out" 2>"$OUTS/$n.err" || true
}

case_no_secret_anywhere() {
  new_database
  # The database address carries a password too (trust authentication ignores it).
  DB_WITH_PASSWORD="$TM_DATABASE_URL password=pg-$M-7"
  pro_aliases "$KEY_LLAMA"
  every setup -v --log-format json
  every pull defillama -v --log-format json --rate-limit 100000 --record "$E2E_TMP/rec" --config "$TM_SOURCE_DIR/tests/fixtures/config/defillama-backfill.csv"
  [ "$(request_log | grep -c "$KEY_LLAMA")" -gt 0 ] || fail "the DefiLlama key should have reached the server"
  every pull artemis -v --log-format json --rate-limit 100000 --assets sol,eth --metrics FEES,PRICE --record "$E2E_TMP/rec"
  every pull coingecko -v --log-format json --rate-limit 100000 --record "$E2E_TMP/rec"
  every pull hyperliquid -v --log-format json --rate-limit 100000
  every pull binance -v --rate-limit 100000
  every backfill artemis -v --log-format json --rate-limit 100000 --assets sol --metrics FEES --since 2024-03-01
  # Failures print URLs and errors: they must be masked too.
  fault '{"path": "/artemis/*", "times": -1, "status": 500, "body": "upstream broke"}'
  every pull artemis -v --rate-limit 100000 --retries 1 --retry-delay 1ms --assets sol --metrics FEES
  reset_server
  pro_aliases "$KEY_LLAMA"
  fault "{\"path\": \"/hooks/*\", \"times\": -1, \"status\": 500}"
  sql "INSERT INTO series (source, kind, asset, metric) VALUES ('defillama', 'pool', 'zz', 'UTILIZATION');
       INSERT INTO points SELECT series_id, '2024-03-13T05:00Z', 0.99 FROM series WHERE asset = 'zz'" >/dev/null
  every detect -v --retries 1 --retry-delay 1ms --alert-log "$E2E_TMP/alerts.txt"
  reset_server
  every detect -v --alert-log "$E2E_TMP/alerts.txt" --ping "$FIXTURE_URL/ping/ping-$M-8"
  every query latest --csv
  every query alerts --json
  every query pulls --csv
  every status --json
  every query --sql "SELECT * FROM pulls" --csv
  DB_WITH_PASSWORD="host=/nonexistent dbname=x password=pg-$M-9" every pull artemis
  [ "$(sql "SELECT count(*) FROM alerts")" -ge 1 ] || fail "the sweep should have opened an alert"
  [ -s "$E2E_TMP/alerts.txt" ] || fail "the sweep should have written the alert log"
  [ "$(ls "$E2E_TMP/rec" | wc -l)" -gt 0 ] || fail "the sweep should have recorded responses"
  [ "$(ls "$E2E_TMP/metrics" | wc -l)" -ge 5 ] || fail "the sweep should have written metrics files"

  local leaks
  leaks=$(grep -rl -- "$M" "$OUTS" "$E2E_TMP/rec" "$E2E_TMP/metrics" "$E2E_TMP/alerts.txt" 2>/dev/null)
  expect_eq "$leaks" "" "files containing a secret"
  pg_dump -d "$TM_DATABASE_URL" --data-only >"$E2E_TMP/dump.sql"
  [ -s "$E2E_TMP/dump.sql" ] || fail "no database dump"
  expect_eq "$(grep -c -- "$M" "$E2E_TMP/dump.sql")" 0 "database rows containing a secret"
}

run_cases
