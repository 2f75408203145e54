#!/usr/bin/env bash
# The embedded database: tm setup creates it with nothing configured, any command starts it on
# demand, tm setup --stop stops it. As root it runs as the postgres user.
. "$(dirname "$0")/lib.sh"
start_fixture_server
export TM_HOME="$E2E_TMP/home"
chmod 711 "$E2E_TMP" # the postgres user (when run as root) must pass through to TM_HOME

# A failed case must not leave a server running behind a deleted folder.
extra_cleanup() { without_db_config "$TM_BIN/tm" setup --stop >/dev/null 2>&1; }

without_db_config() {
  env -u PGHOST -u PGPORT -u PGUSER -u PGDATABASE -u TM_DATABASE_URL -u DATABASE_URL \
    -u TM_DATABASE_URL_READER -u TM_DATABASE_URL_WRITER -u TM_DATABASE_URL_OWNER "$@"
}

case_lifecycle() {
  run without_db_config "$TM_BIN/tm" pull defillama
  expect_code 4
  expect_contains "$ERR" "run \`tm setup\`"

  run without_db_config "$TM_BIN/tm" setup
  expect_code 0
  expect_contains "$OUT" "database: host=$TM_HOME/pg/run"
  expect_contains "$OUT" "(embedded cluster)"
  expect_contains "$OUT" "schema: applied 001_core.sql"
  expect_contains "$OUT" "roles: tm_owner, tm_writer, tm_reader set up"
  expect_eq "$(stat -c %a "$TM_HOME/pg")" "700" "mode of $TM_HOME/pg"
  expect_eq "$(stat -c %a "$TM_HOME/pg/run")" "700" "mode of the socket folder"
  expect_eq "$(stat -c %a "$TM_HOME/pg/data")" "700" "mode of the data folder"
  if [ "$(id -u)" = 0 ]; then
    expect_eq "$(stat -c %U "$TM_HOME/pg/data")" "postgres" "owner of the data folder"
  fi
  expect_eq "$(grep -c "^listen_addresses = ''" "$TM_HOME/pg/data/postgresql.conf")" "1" "no TCP listener"

  run without_db_config "$TM_BIN/tm" setup
  expect_code 0
  expect_contains "$OUT" "schema: up to date"

  run without_db_config "$TM_BIN/tm" setup --stop
  expect_code 0
  expect_contains "$OUT" "stopped"

  # any command starts it again on demand
  run without_db_config "$TM_BIN/tm" pull defillama --metrics TVL,CHAIN_TVL
  expect_code 0
  run without_db_config "$TM_BIN/tm" setup --print-conninfo
  expect_code 0
  expect_contains "$OUT" "user=tm_reader"
  expect_eq "$(psql -qtAX "$OUT" -c 'SELECT count(*) FROM points')" "16" "points in the embedded database"
  expect_contains "$(psql -qtAX "$OUT" -c 'DELETE FROM points' 2>&1)" "read-only transaction" "the reader writing"
  # Each command connected as its role; the pull's points were written by the writer.
  local admin="host=$TM_HOME/pg/run user=tm dbname=tm"
  expect_eq "$(psql -qtAX "$admin" -c "SELECT string_agg(DISTINCT pg_get_userbyid(relowner), ',') FROM pg_class WHERE relname IN ('points', 'series', 'pulls')")" \
    "tm_owner" "owner of tm's tables"
  run without_db_config "$TM_BIN/tm" query --sql "SELECT current_user AS u" --csv
  expect_eq "$OUT" "$(printf 'u\ntm_reader')" "tm query's role"

  # An embedded database made before roles existed: commands say to run tm setup, which
  # upgrades it in place, keeping every point.
  # (DROP OWNED one role at a time: PostgreSQL 15 fails on shared default privileges otherwise.)
  psql -qX -v ON_ERROR_STOP=1 "$admin" -c "REASSIGN OWNED BY tm_owner, tm_writer, tm_reader TO tm" \
    -c "DROP OWNED BY tm_owner" -c "DROP OWNED BY tm_writer" -c "DROP OWNED BY tm_reader" \
    -c "DROP ROLE tm_owner, tm_writer, tm_reader" >/dev/null || fail "dropping the roles"
  run without_db_config "$TM_BIN/tm" pull defillama --metrics TVL,CHAIN_TVL
  expect_code 2
  expect_contains "$ERR" "predates tm's roles; run \`tm setup\` to upgrade it"
  expect_one_line "$ERR"
  run without_db_config "$TM_BIN/tm" setup
  expect_code 0
  expect_contains "$OUT" "roles: tm_owner, tm_writer, tm_reader set up"
  run without_db_config "$TM_BIN/tm" query --sql "SELECT count(*) AS n FROM points" --csv
  expect_eq "$OUT" "$(printf 'n\n16')" "points kept through the upgrade"

  run without_db_config "$TM_BIN/tm" setup --stop
  expect_code 0
  run without_db_config "$TM_BIN/tm" setup --stop
  expect_contains "$OUT" "not running"
}

run_cases
