#!/usr/bin/env bash
# tm front-end, flags and bad input: each ends with its documented exit code and one line.
. "$(dirname "$0")/lib.sh"
start_fixture_server

case_help_lists_commands_and_exit_codes() {
  run tm help
  expect_code 0
  expect_contains "$OUT" "setup"
  expect_contains "$OUT" "pull"
  expect_contains "$OUT" "5 another run holds the source lock"
  run tm help pull
  expect_code 0
  expect_contains "$OUT" "--record"
}

case_version() {
  run tm --version
  expect_code 0
  expect_contains "$OUT" "tm 0."
  run tm pull --version
  expect_code 0
}

case_unknown_command_suggests() {
  run tm pul defillama
  expect_code 2
  expect_contains "$ERR" "unknown command 'pul'; did you mean 'pull'?"
  run tm frobnicate
  expect_code 2
  expect_not_contains "$ERR" "did you mean"
}

case_unknown_source_and_flag() {
  new_database
  run tm pull defilama
  expect_code 2
  expect_contains "$ERR" "unknown source 'defilama'; did you mean 'defillama'?"
  expect_one_line "$ERR"
  run tm pull defillama --bogus
  expect_code 2
  run tm pull
  expect_code 2
  run tm pull defillama --timeout soon
  expect_code 2
  expect_contains "$ERR" "--timeout 'soon' is not a duration"
  run tm pull defillama --bucket 0h
  expect_code 2
  expect_sql "SELECT count(*) FROM pulls" "0"
  expect_eq "$(requests_to /defillama/protocols)" "0" "requests sent"
}

case_bad_url_override() {
  new_database
  TM_DEFILLAMA_URL="ftp://example" run tm pull defillama
  expect_code 2
  expect_contains "$ERR" "TM_DEFILLAMA_URL='ftp://example' is not an http(s) URL"
  expect_sql "SELECT count(*) FROM pulls" "0"
}

case_malformed_db() {
  run tm pull defillama --db "dbname"
  expect_code 2
  expect_contains "$ERR" "--db is not a valid database address"
  expect_one_line "$ERR"
  TM_DATABASE_URL_OWNER="postgresql://u:hunter22@[bad" run tm setup
  expect_code 2
  expect_contains "$ERR" "TM_DATABASE_URL_OWNER is not a valid database address"
  expect_not_contains "$ERR" "hunter22" "stderr"
  TM_DATABASE_URL_OWNER= TM_DATABASE_URL="postgresql://u:hunter22@[bad" run tm setup
  expect_code 2
  expect_not_contains "$ERR" "hunter22" "stderr"
}

case_unreachable_db() {
  run tm pull defillama --db "host=$E2E_TMP/nowhere dbname=x user=x password=sekrit99"
  expect_code 4
  expect_contains "$ERR" "cannot connect to the database"
  expect_not_contains "$ERR" "sekrit99" "stderr"
  expect_one_line "$ERR"
  expect_eq "$(requests_to /defillama/protocols)" "0" "requests sent"
  run tm setup --db "postgresql://tm:pw12345@127.0.0.1:1/tm?connect_timeout=2"
  expect_code 4
  expect_not_contains "$ERR" "pw12345" "stderr"
}

case_schema_missing() {
  new_database --empty
  run tm pull defillama
  expect_code 2
  expect_contains "$ERR" "run \`tm setup\`"
  expect_eq "$(requests_to /defillama/protocols)" "0" "requests sent"
}

case_stop_refuses_external_database() {
  new_database
  run tm setup --stop
  expect_code 2
  expect_contains "$ERR" "--stop only stops the embedded database"
}

run_cases
