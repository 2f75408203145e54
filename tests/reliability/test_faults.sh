#!/usr/bin/env bash
# Every fault the fixture server injects, on every source: what tm does (README "Faults").
# A passing fault (the first request only) is retried and the pull ends ok; a lasting one ends
# the pull failed (exit 1) — partial (exit 3) for DefiLlama, whose other hosts still answer —
# with the journal saying so. Nothing hangs, nothing crashes.
. "$(dirname "$0")/../e2e/lib.sh"
start_fixture_server
export TM_NOW=2024-03-13T05:17:00Z ARTEMIS_API_KEY=k-faults
export TM_ARTEMIS_URL="$FIXTURE_URL/artemis" TM_COINGECKO_URL="$FIXTURE_URL/coingecko"
export TM_HYPERLIQUID_URL="$FIXTURE_URL/hyperliquid" TM_BINANCE_URL="$FIXTURE_URL/binance"
export TM_KRAKEN_URL="$FIXTURE_URL/kraken" TM_COINBASE_URL="$FIXTURE_URL/coinbase"
HUGE=$(python3 -c "print('[' + '1,' * 700000 + '1]')")

# source | path pattern its requests match | pull arguments | exit code of a lasting fault
SOURCES=(
  "defillama|/defillama/*||3"
  "artemis|/artemis/*|--assets sol --metrics FEES|1"
  "coingecko|/coingecko/*||1"
  "hyperliquid|/hyperliquid/*||1"
  "binance|/binance/*|--assets BTCUSDT,ETHUSDT|1"
  "kraken|/kraken/*|--assets XBTUSD|1"
  "coinbase|/coinbase/*|--assets BTC-USDT|1"
)
# name | fault fields (JSON, without path and times)
PASSING=(
  '429 with Retry-After|"status": 429, "headers": {"Retry-After": "1"}, "body": "slow down"'
  '429 without Retry-After|"status": 429, "body": "slow down"'
  '5xx|"status": 503, "body": "unavailable"'
  'connection reset|"reset": true'
  'timeout|"delay": 3'
  'truncated transfer|"short_body": 10'
  'empty 200 body|"status": 200, "body": ""'
  'HTML error page|"status": 502, "body": "<html><body>Bad gateway</body></html>", "headers": {"Content-Type": "text/html"}'
)
LASTING=(
  '5xx|"status": 500, "body": "internal error"'
  'cut body (invalid JSON)|"cut": 20'
  'invalid JSON|"status": 200, "body": "{not json"'
  'valid JSON of the wrong shape|"status": 200, "body": "{\"unexpected\": true}"'
  'body over the size limit|"status": 200, "body": "'"$HUGE"'"'
  'HTML error page|"status": 503, "body": "<html>down</html>", "headers": {"Content-Type": "text/html"}'
)

pull() { # pull SOURCE ARGS...
  local source=$1
  shift
  # shellcheck disable=SC2086
  run tm pull "$source" $* --rate-limit 100000 --retries 2 --retry-delay 10ms --timeout 1s --max-body 1
}

case_passing_faults_are_retried() {
  local spec fault
  for spec in "${SOURCES[@]}"; do
    IFS='|' read -r source path args _ <<<"$spec"
    new_database
    for fault in "${PASSING[@]}"; do
      reset_server
      control faults "[{\"path\": \"$path\", \"times\": 1, ${fault#*|}}]"
      pull "$source" "$args"
      [ "$CODE" = 0 ] || fail "$source, ${fault%%|*} once: expected exit 0 after a retry, got $CODE: $ERR"
      # The stalled answer comes after 3 s: only --timeout 1s turns it into a retry.
      if [ "${fault%%|*}" = timeout ]; then
        expect_contains "$ERR" "timed out" "$source, a stall once: stderr"
      fi
    done
  done
}

case_lasting_faults_fail_the_pull() {
  local spec fault expected status
  for spec in "${SOURCES[@]}"; do
    IFS='|' read -r source path args expected <<<"$spec"
    for fault in "${LASTING[@]}"; do
      new_database
      reset_server
      control faults "[{\"path\": \"$path\", \"times\": -1, ${fault#*|}}]"
      pull "$source" "$args"
      [ "$CODE" = "$expected" ] || fail "$source, ${fault%%|*}: expected exit $expected, got $CODE: $ERR"
      status=$(sql "SELECT status FROM pulls")
      [ "$status" = "$([ "$expected" = 3 ] && echo partial || echo failed)" ] || fail "$source, ${fault%%|*}: journal says '$status'"
      [ -n "$(sql "SELECT error FROM pulls")" ] || fail "$source, ${fault%%|*}: no error in the journal"
    done
  done
}

# A server that stalls every answer for longer than --timeout: the pull ends in a bounded time
# (three attempts of 1 s, not three stalls of 60 s) and says the requests timed out. The bound
# is generous (a slow machine must not fail it) and far below one ignored timeout.
case_lasting_stall_ends_in_time() {
  local spec started took
  for spec in "${SOURCES[@]}"; do
    IFS='|' read -r source path args expected <<<"$spec"
    new_database
    reset_server
    control faults "[{\"path\": \"$path\", \"times\": -1, \"delay\": 60}]"
    started=$SECONDS
    pull "$source" "$args"
    took=$((SECONDS - started))
    [ "$took" -lt 45 ] || fail "$source, a lasting stall: the pull took $took s with --timeout 1s"
    [ "$CODE" = "$expected" ] || fail "$source, a lasting stall: expected exit $expected, got $CODE: $ERR"
    expect_contains "$ERR" "timed out" "$source, a lasting stall: stderr"
    expect_contains "$(sql "SELECT error FROM pulls")" "timed out" "$source, a lasting stall: the journal"
  done
}

run_cases
