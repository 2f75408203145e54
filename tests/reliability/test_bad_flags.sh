#!/usr/bin/env bash
# Bad input: every flag that takes a value, given a malformed one (dates, durations, numbers,
# URLs, lists, paths), ends with exit 2 (tm status: 3, UNKNOWN) and one line on stderr, and
# nothing is written: not the database, not a file.
. "$(dirname "$0")/../e2e/lib.sh"
start_fixture_server
export TM_NOW=2024-03-13T05:17:00Z ARTEMIS_API_KEY=k-bad-flags
NOWHERE=/nonexistent/dir

snapshot() {
  sql "SELECT (SELECT count(*) FROM pulls) || ' ' || (SELECT count(*) FROM points) || ' ' ||
              (SELECT count(*) FROM series) || ' ' || (SELECT count(*) FROM alerts) || ' ' ||
              (SELECT count(*) FROM backfill_progress) || ' ' || (SELECT count(*) FROM entities)"
}

case_every_malformed_value_is_refused() {
  new_database
  tm pull defillama -q --rate-limit 100000 || fail "seed pull"
  local before c
  before=$(snapshot)
  local cases=(
    "pull defillama --timeout soon"
    "pull defillama --timeout 0s"
    "pull defillama --connect-timeout -5s"
    "pull defillama --retries many"
    "pull defillama --retries 99"
    "pull defillama --retry-delay 5parsecs"
    "pull defillama --concurrency 0"
    "pull defillama --rate-limit fast"
    "pull defillama --rate-limit -3"
    "pull defillama --max-body lots"
    "pull defillama --config $NOWHERE/defillama.csv"
    "pull defillama --metrics NOT_A_METRIC"
    "pull defillama --assets ,,"
    "pull artemis --metrics ,"
    "pull defillama --top -1"
    "pull defillama --min-pool-tvl cheap"
    "pull defillama --every often --for 1m"
    "pull defillama --every 5s"
    "pull defillama --bucket 7x"
    "pull defillama --record $E2E_TMP/rec --replay $E2E_TMP/rec"
    "pull defillama --replay $NOWHERE"
    "pull defillama --db host=/tmp port=notaport"
    "pull defillama --db postgresql://[::1"
    "pull defillama --log-format xml"
    "pull defillama --ping not-a-url"
    "pull nosuchsource"
    "pull artemis --batch-assets 0"
    "pull artemis --batch-days 100000"
    "backfill defillama --since tomorrow"
    "backfill defillama --until 2021-13-01"
    "backfill defillama --since 2024-03-01 --until 2023-03-01"
    "backfill binance --interval 7x"
    "query --since yesterday-ish"
    "query --until 2024-02-30"
    "query --days 0"
    "query --limit -1"
    "query history --interval month"
    "query history --interval day --agg median"
    "query alerts --status maybe"
    "query --source nowhere"
    "query --asset a --metric NOPE"
    "query --entity atlantis"
    "query --kind spaceship"
    "query --asset ,"
    "serve --rules $NOWHERE/rules.toml"
    "query --csv -o $NOWHERE/out.csv"
    "query --sql DELETE_FROM_points"
    "detect --rules $NOWHERE/rules.toml"
    "detect --rule no_such_rule"
    "detect --since 2024-01-01"
    "detect --backtest --since someday"
    "detect --alert-log $NOWHERE/alerts.txt"
    "detect --timeout forever"
    "serve --listen somewhere"
    "serve --listen 127.0.0.1:99999"
    "serve --max-rows 0"
    "serve --listen ::1:8080"
    "serve --listen [::1]"
    "serve --idle-timeout 0"
    "setup --entities $NOWHERE/entities.csv"
    # Not-a-number and infinities, in every spelling, for every numeric flag.
    "pull defillama --rate-limit nan"
    "pull defillama --rate-limit NaN"
    "pull defillama --rate-limit inf"
    "pull defillama --rate-limit -inf"
    "pull defillama --rate-limit infinity"
    "pull defillama --min-pool-tvl nan"
    "pull defillama --min-pool-tvl inf"
    "pull defillama --min-pool-tvl -Infinity"
    "backfill defillama --rate-limit nan"
    "backfill defillama --min-pool-tvl NAN"
    "pull defillama --top nan"
    "pull defillama --retries inf"
    "pull defillama --concurrency nan"
    "pull defillama --max-body infinity"
    "pull artemis --batch-assets nan"
    "pull artemis --batch-days inf"
    "pull defillama --timeout nan"
    "pull defillama --timeout inf"
    "pull defillama --timeout 1e300"
    "pull defillama --connect-timeout -inf"
    "pull defillama --retry-delay NaN"
    "pull defillama --every nan --for 1m"
    "pull defillama --every 5s --for inf"
    "pull defillama --bucket infinity"
    "query --days nan"
    "query --limit inf"
    "serve --max-rows nan"
    "detect --timeout inf"
    "detect --retries nan"
  )
  for c in "${cases[@]}"; do
    # shellcheck disable=SC2086  # each case is a command line split into words
    run tm $c
    [ "$CODE" = 2 ] || fail "tm $c: expected exit 2, got $CODE: $ERR"
    [ "$(printf '%s\n' "$ERR" | grep -c .)" = 1 ] || fail "tm $c: expected one line on stderr, got: $ERR"
  done
  for c in "status --max-age defillama" "status --max-age defillama=soon" "status --max-age defillama=nan" \
    "status --max-age defillama=inf" "status --rules $NOWHERE/r.toml" "status --bogus 1"; do
    # shellcheck disable=SC2086
    run tm $c
    [ "$CODE" = 3 ] || fail "tm $c: expected exit 3 (UNKNOWN), got $CODE: $OUT $ERR"
  done
  expect_eq "$(snapshot)" "$before" "database after every refused command"
  [ ! -e "$E2E_TMP/rec" ] || fail "a refused command created $E2E_TMP/rec"
}

run_cases
