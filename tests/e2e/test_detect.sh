#!/usr/bin/env bash
# tm detect end to end: seeded points, the real binary, Slack and webhook receivers on the
# fixture server, the alert log; at-least-once delivery across a failing receiver.
. "$(dirname "$0")/lib.sh"
start_fixture_server
unset SLACK_WEBHOOK_URL TM_WEBHOOK_URL TM_WEBHOOK_SECRET
SLACK_PATH=/hooks/slack/T0SECRET/B0SECRET/xoxSecretToken
HOOK_PATH=/hooks/generic

# aave TVL hourly at 100 for a day, then $1 at 2024-03-13T10:00Z (75 is a 25% drop).
seed_tvl() {
  sql "INSERT INTO series (source, kind, asset, metric) VALUES ('defillama', 'protocol', 'aave', 'TVL') ON CONFLICT DO NOTHING;
       INSERT INTO points SELECT series_id, t, 100 FROM series,
         generate_series('2024-03-12T09:00Z'::timestamptz, '2024-03-13T09:00Z', '1 hour') t
        WHERE asset = 'aave' ON CONFLICT DO NOTHING;
       INSERT INTO points SELECT series_id, '2024-03-13T10:00Z', $1 FROM series WHERE asset = 'aave'
         ON CONFLICT (series_id, ts) DO UPDATE SET value = excluded.value;" >/dev/null
}
add_point() { # add_point TS VALUE
  sql "INSERT INTO points SELECT series_id, '$1', $2 FROM series WHERE asset = 'aave'" >/dev/null
}
# The JSON bodies POSTed to PATH so far, one per line.
bodies_to() {
  request_log | python3 -c "import json,sys; [print(r['body']) for r in json.load(sys.stdin) if r['path']=='$1']"
}
detect() { TM_NOW=${NOW:-2024-03-13T10:00:00Z} tm detect --retry-delay 10ms "$@"; }

case_tvl_drop_opens_once_notifies_once_and_resolves() {
  new_database
  seed_tvl 75
  export SLACK_WEBHOOK_URL="$FIXTURE_URL$SLACK_PATH"
  run detect
  expect_code 0
  expect_contains "$OUT" "opened critical tvl_drop defillama/aave/TVL: TVL down 25.0%"
  expect_sql "SELECT rule, status, value, baseline FROM alerts" "tvl_drop|open|75|100"
  expect_eq "$(requests_to $SLACK_PATH)" 1 "Slack messages after the drop"
  local body
  body=$(bodies_to $SLACK_PATH)
  for needle in tvl_drop critical defillama/aave/TVL "value 75" "baseline 100" "change -25.0%" 2024-03-13T10:00:00Z; do
    expect_contains "$body" "$needle" "Slack message"
  done
  echo "$body" | python3 -c "import json,sys; json.load(sys.stdin)['text']" || fail "Slack body is not JSON with text"

  run detect # the same data again: nothing changes, nothing is sent
  expect_code 0
  expect_eq "$OUT" "" "second run output"
  expect_eq "$(requests_to $SLACK_PATH)" 1 "Slack messages after a second run"
  expect_sql "SELECT count(*) FROM alerts" "1"

  add_point 2024-03-13T11:00Z 98
  NOW=2024-03-13T11:00:00Z run detect
  expect_code 0
  expect_contains "$OUT" "resolved critical tvl_drop defillama/aave/TVL"
  expect_sql "SELECT status, resolved_at FROM alerts" "resolved|2024-03-13 11:00:00+00"
  expect_eq "$(requests_to $SLACK_PATH)" 2 "Slack messages after recovery"
  expect_contains "$(bodies_to $SLACK_PATH | tail -n 1)" "resolved"
  expect_not_contains "$OUT$ERR" "xoxSecretToken" "output"
  unset SLACK_WEBHOOK_URL
}

case_many_events_at_once_are_one_slack_message() {
  new_database
  sql "INSERT INTO series (source, kind, asset, metric) SELECT 'defillama', 'protocol', 'p' || i, 'TVL' FROM generate_series(1, 7) i;
       INSERT INTO points SELECT series_id, t, 100 FROM series,
         generate_series('2024-03-12T10:00Z'::timestamptz, '2024-03-13T09:00Z', '1 hour') t;
       INSERT INTO points SELECT series_id, '2024-03-13T10:00Z', 50 FROM series;" >/dev/null
  export SLACK_WEBHOOK_URL="$FIXTURE_URL$SLACK_PATH"
  run detect
  expect_code 0
  expect_eq "$(printf '%s\n' "$OUT" | grep -c '^opened')" 7 "alerts opened"
  expect_eq "$(requests_to $SLACK_PATH)" 1 "Slack messages for 7 events"
  local body
  body=$(bodies_to $SLACK_PATH)
  expect_contains "$body" "7 alert events"
  for i in 1 2 3 4 5 6 7; do expect_contains "$body" "defillama/p$i/TVL"; done
  expect_sql "SELECT count(*) FROM alerts WHERE notified_at IS NOT NULL" "7"
  unset SLACK_WEBHOOK_URL
}

case_failing_receiver_gets_exactly_one_delivery_later() {
  new_database
  seed_tvl 75
  export SLACK_WEBHOOK_URL="$FIXTURE_URL$SLACK_PATH"
  fault "{\"path\": \"$SLACK_PATH\", \"times\": 3, \"status\": 503, \"body\": \"down\"}"
  run detect --retries 2
  expect_code 3
  expect_contains "$ERR" "slack: HTTP 503"
  expect_contains "$ERR" "sent again next run"
  expect_not_contains "$OUT$ERR" "xoxSecretToken" "output"
  expect_not_contains "$OUT$ERR" "T0SECRET" "output"
  expect_sql "SELECT status, notified_at IS NULL FROM alerts" "open|t"
  reset_server
  run detect
  expect_code 0
  expect_eq "$(requests_to $SLACK_PATH)" 1 "deliveries once the receiver is back"
  expect_contains "$(bodies_to $SLACK_PATH)" "opened"
  expect_sql "SELECT notified_at IS NOT NULL FROM alerts" "t"
  run detect
  expect_eq "$(requests_to $SLACK_PATH)" 1 "deliveries after one more run"
  unset SLACK_WEBHOOK_URL
}

case_webhook_is_signed_and_log_is_owner_only() {
  new_database
  seed_tvl 70
  export TM_WEBHOOK_URL="$FIXTURE_URL$HOOK_PATH" TM_WEBHOOK_SECRET="whsec-$$-marker"
  run detect --alert-log "$E2E_TMP/alerts.txt"
  expect_code 0
  expect_eq "$(stat -c %a "$E2E_TMP/alerts.txt")" 600 "alert log mode"
  expect_eq "$(grep -c . "$E2E_TMP/alerts.txt")" 1 "alert log lines"
  expect_contains "$(cat "$E2E_TMP/alerts.txt")" "opened critical tvl_drop defillama/aave/TVL: TVL down 30.0%"
  request_log | TM_WEBHOOK_SECRET=$TM_WEBHOOK_SECRET python3 -c "
import hashlib, hmac, json, os, sys
hits = [r for r in json.load(sys.stdin) if r['path'] == '$HOOK_PATH']
assert len(hits) == 1, hits
body = hits[0]['body'].encode()
want = 'sha256=' + hmac.new(os.environ['TM_WEBHOOK_SECRET'].encode(), body, hashlib.sha256).hexdigest()
assert hits[0]['headers'].get('X-Tm-Signature') == want, (hits[0]['headers'], want)
event = json.loads(body)
assert event['event'] == 'opened' and event['rule'] == 'tvl_drop' and event['value'] == 70, event
assert abs(event['change'] + 0.30) < 1e-9, event
" || fail "webhook body or signature"
  expect_not_contains "$OUT$ERR" "whsec-$$-marker" "output"
  expect_sql "SELECT count(*) FROM alert_deliveries" "2"
  unset TM_WEBHOOK_URL TM_WEBHOOK_SECRET
}

case_dry_run_and_backtest_store_and_send_nothing() {
  new_database
  seed_tvl 75
  add_point 2024-03-13T11:00Z 99
  export SLACK_WEBHOOK_URL="$FIXTURE_URL$SLACK_PATH"
  run detect --dry-run
  expect_code 0
  expect_contains "$OUT" "would be opened critical tvl_drop defillama/aave/TVL"
  expect_sql "SELECT count(*) FROM alerts" "0"
  NOW=2024-03-13T12:00:00Z run detect --backtest --since 2024-03-12 --csv
  expect_code 0
  expect_contains "$OUT" "tvl_drop,critical,defillama/aave/TVL,2024-03-13T10:00:00Z,2024-03-13T11:00:00Z,1,"
  expect_sql "SELECT count(*) FROM alerts" "0"
  expect_eq "$(requests_to $SLACK_PATH)" 0 "Slack messages"
  run detect --backtest
  expect_code 2
  expect_contains "$ERR" "--backtest needs --since DATE"
  unset SLACK_WEBHOOK_URL
}

case_bad_rules_and_settings_exit_2_and_judge_nothing() {
  new_database
  seed_tvl 75
  printf '[[rule]]\nname = "x"\nkind = "change"\nmetric = "TVL"\nwindow = "24 hours"\ndrop = 0.2\n' >"$E2E_TMP/bad.toml"
  run detect --rules "$E2E_TMP/bad.toml"
  expect_code 2
  expect_one_line "$ERR"
  expect_contains "$ERR" "bad.toml:5: rule 'x': 'window' = \"24 hours\" is not a duration"
  run detect --rules "$E2E_TMP/missing.toml"
  expect_code 2
  expect_contains "$ERR" "no such file"
  run detect --rule tvl_dorp
  expect_code 2
  expect_contains "$ERR" "--rule tvl_dorp: no such rule"
  SLACK_WEBHOOK_URL="hooks.slack.com/services/T0/B0/secretvalue" run detect
  expect_code 2
  expect_contains "$ERR" "SLACK_WEBHOOK_URL is not an http(s) URL"
  expect_not_contains "$ERR" "secretvalue" "error"
  run detect --alert-log /nonexistent/dir/alerts.txt
  expect_code 2
  expect_contains "$ERR" "does not exist"
  expect_sql "SELECT count(*) FROM alerts" "0"
  # A custom rules file replaces the built-in one.
  printf '[[rule]]\nname = "tvl_any_move"\nkind = "change"\nmetric = "TVL"\nwindow = "1h"\nmove = 0.1\n' >"$E2E_TMP/mine.toml"
  run detect --rules "$E2E_TMP/mine.toml"
  expect_code 0
  expect_sql "SELECT rule FROM alerts" "tvl_any_move"
}

case_a_holder_that_does_not_let_go_is_exit_5_after_the_wait() {
  new_database
  seed_tvl 75
  psql -qX -d "${TM_DATABASE_URL#dbname=}" -c "SELECT pg_advisory_lock(hashtextextended('tm:detect', 0)), pg_sleep(20)" >/dev/null 2>&1 &
  local holder=$!
  for _ in $(seq 100); do
    [ "$(sql "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted")" = 1 ] && break
    sleep 0.05
  done
  run detect -q --lock-wait 1s
  expect_code 5
  expect_one_line "$ERR"
  expect_contains "$ERR" "is still running after 1s; not starting a second (--lock-wait)"
  kill "$holder" 2>/dev/null
  wait "$holder" 2>/dev/null
  expect_sql "SELECT count(*) FROM alerts" "0"
}

case_simultaneous_detects_queue_and_notify_once() {
  new_database
  seed_tvl 75
  export SLACK_WEBHOOK_URL="$FIXTURE_URL$SLACK_PATH"
  # The shipped schedules start several at once (every pull line chains one): none may fail or
  # print an error (cron would mail it), and each event goes out once.
  local pids=() i
  for i in 1 2 3 4 5 6; do
    TM_NOW=2024-03-13T10:00:00Z "$TM_BIN/tm" detect -q --retry-delay 10ms >"$E2E_TMP/d$i.out" 2>"$E2E_TMP/d$i.err" &
    pids+=($!)
  done
  for i in 1 2 3 4 5 6; do
    wait "${pids[$((i - 1))]}"
    expect_eq "$?" 0 "exit code of detect $i"
    expect_eq "$(cat "$E2E_TMP/d$i.err")" "" "stderr of detect $i"
  done
  expect_eq "$(cat "$E2E_TMP"/d?.out | grep -c '^opened')" 1 "openings printed"
  expect_eq "$(requests_to $SLACK_PATH)" 1 "Slack messages"
  unset SLACK_WEBHOOK_URL
}

run_cases
