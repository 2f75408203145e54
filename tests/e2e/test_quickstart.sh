#!/usr/bin/env bash
# scripts/quickstart always ends with something to look at: offline (a closed port; no network
# at all), the recording in config/demo/defillama, stored and shown as 2022 data; online, the live
# pull's TVL table, also after a partial pull (exit 3). It runs as a user runs it, bootstrap
# included (a no-op on the build under test, TM_BUILD_DIR).
source "$(dirname "$0")/lib.sh"
start_fixture_server

TM_BUILD_DIR=$(cd "$TM_BIN/.." && pwd)
export TM_BUILD_DIR

quickstart() { "$TM_SOURCE_DIR/scripts/quickstart"; }

closed_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# What every offline run must show: exit 0, the recorded rows labelled as such, stored once with
# the recording's time, and no request but the replayed one.
expect_recorded_run() {
  expect_code 0
  expect_contains "$OUT" "RECORDED DATA of 2022-01-29, not today's" "quickstart output"
  expect_contains "$OUT" "replayed from config/demo/defillama (no network used)" "quickstart output"
  # The table: Curve first (16.89 bn on 2022-01-29), every row a protocol of that hour.
  local table
  table=$(printf '%s\n' "$OUT" | sed -n '/^ *name *| *kind/,/^([0-9]* rows)/p')
  expect_contains "$table" " Curve                    | protocol |      16.89 | 2022-01-29 11:00 UTC" "TVL table"
  expect_eq "$(printf '%s\n' "$table" | grep -c '| protocol |')" 10 "recorded protocol rows"
  expect_eq "$(printf '%s\n' "$table" | grep -c '2022-01-29 11:00 UTC')" 10 "rows of the recording's hour"
  expect_contains "$ERR" "cannot be reached (offline?); showing recorded data instead" "quickstart stderr"
  expect_sql "SELECT count(*), min(status), bool_and(args LIKE '%--replay%'), sum(requests) FROM pulls" "1|ok|t|1"
  expect_sql "SELECT count(*), min(ts) = max(ts), min(ts) AT TIME ZONE 'UTC' FROM metrics" "10|t|2022-01-29 11:00:00"
}

case_offline_closed_port() {
  new_database --empty
  TM_DEFILLAMA_URL="http://127.0.0.1:$(closed_port)" run quickstart
  expect_recorded_run
  # A second run stores nothing new and shows the same table.
  TM_DEFILLAMA_URL="http://127.0.0.1:$(closed_port)" run quickstart
  expect_code 0
  expect_contains "$OUT" " Curve                    | protocol |      16.89 | 2022-01-29 11:00 UTC" "second run"
  expect_sql "SELECT count(*) FROM points" "10"
}

# The real offline case: a network namespace with no network at all, DefiLlama's own URLs.
case_offline_no_network() {
  if ! unshare -n true 2>/dev/null; then
    echo "    (skipped: unshare -n is not permitted here; the closed-port case covers the path)" >&2
    return 0
  fi
  new_database --empty
  run env -u TM_DEFILLAMA_URL -u TM_DEFILLAMA_STABLECOINS_URL -u TM_DEFILLAMA_YIELDS_URL \
    unshare -n "$TM_SOURCE_DIR/scripts/quickstart"
  expect_recorded_run
  expect_contains "$ERR" "api.llama.fi cannot be reached" "quickstart stderr"
}

# Online with one endpoint refusing (a 400 is not retried): the pull is partial (exit 3) and
# quickstart still shows the live TVL table, protocols and chains only.
case_live_partial_pull() {
  new_database --empty
  fault '{"path": "/defillama/overview/dexs", "times": -1, "status": 400, "body": "{\"message\": \"bad request\"}"}'
  TM_NOW=2024-03-13T05:17:00Z run quickstart
  expect_code 0
  expect_contains "$ERR" "some DefiLlama endpoints failed (above); showing what was stored" "quickstart stderr"
  expect_contains "$OUT" "largest protocols and chains by TVL, live from DefiLlama" "quickstart output"
  expect_not_contains "$OUT" "RECORDED DATA" "quickstart output"
  expect_sql "SELECT status FROM pulls" "partial"
  # Larger dollar figures than any TVL exist (stablecoin supply), yet the table lists TVL only,
  # largest first, by name.
  expect_sql "SELECT max(value) FILTER (WHERE metric NOT IN ('TVL', 'CHAIN_TVL'))
                   > max(value) FILTER (WHERE metric IN ('TVL', 'CHAIN_TVL')) FROM latest" "t"
  local table expected
  table=$(printf '%s\n' "$OUT" | sed -n '/^ *name *| *kind/,/^([0-9]* rows)/p' | sed '1,2d;$d' | cut -d'|' -f1-2 | sed 's/ *| */|/; s/^ *//; s/ *$//')
  expected=$(sql "SELECT coalesce(a.name, l.asset) || '|' || coalesce(a.kind, '') FROM latest l
                    LEFT JOIN assets a ON a.source = l.source AND a.asset = l.asset
                               AND a.kind = CASE l.metric WHEN 'TVL' THEN 'protocol' ELSE 'chain' END
                   WHERE l.source = 'defillama' AND l.metric IN ('TVL', 'CHAIN_TVL')
                   ORDER BY l.value DESC LIMIT 10")
  expect_eq "$table" "$expected" "live TVL table (name|kind, largest first)"
  [ -n "$expected" ] || fail "no TVL rows stored by the live pull"
}

run_cases
