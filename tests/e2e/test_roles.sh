#!/usr/bin/env bash
# Least privilege: tm setup makes three roles; every command works given only the role it needs,
# and no role can do more than it should. Also libpq's conventions for addresses.
. "$(dirname "$0")/lib.sh"
start_fixture_server

as() { psql -qtAX -d "$1" -c "$2" 2>&1; } # as ADDRESS SQL

case_setup_makes_the_roles() {
  new_database --empty
  run tm setup --db "$TM_DATABASE_URL"
  expect_code 0
  expect_contains "$OUT" "roles: tm_owner, tm_writer, tm_reader set up"
  expect_sql "SELECT string_agg(rolname || ':' || rolsuper || rolcreaterole || rolcreatedb, ' ' ORDER BY rolname)
                FROM pg_roles WHERE rolname IN ('tm_owner', 'tm_writer', 'tm_reader')" \
    "tm_owner:falsefalsefalse tm_reader:falsefalsefalse tm_writer:falsefalsefalse"
  expect_sql "SELECT count(*) FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.member
               WHERE r.rolname IN ('tm_owner', 'tm_writer', 'tm_reader')" "0"
  expect_sql "SELECT DISTINCT pg_get_userbyid(relowner) FROM pg_class c JOIN pg_namespace n
               ON n.oid = c.relnamespace WHERE nspname = 'public' AND relkind IN ('r', 'v', 'm')" "tm_owner"
  expect_sql "SELECT has_function_privilege('tm_reader', 'pg_terminate_backend(integer, bigint)', 'EXECUTE')" "f"
  # Setup again as the owner alone: nothing to do, grants renewed.
  run tm setup --db "$TM_DATABASE_URL user=tm_owner"
  expect_code 0
  expect_contains "$OUT" "schema: up to date"
  expect_contains "$OUT" "roles: tm_owner, tm_writer, tm_reader granted"
}

case_each_command_with_only_its_role() {
  new_database
  # No superuser address anywhere: each command must find its own role's.
  unset TM_DATABASE_URL
  run tm pull defillama --metrics TVL,CHAIN_TVL
  expect_code 0
  run tm detect
  expect_code 0
  run tm query --csv
  expect_code 0
  expect_contains "$OUT" "defillama,aave,TVL"
  run tm status
  [ "$CODE" -le 2 ] || fail "tm status as the reader: exit $CODE; $ERR"
  run tm detect --dry-run
  expect_code 0
  expect_contains "$ERR" "dry run, nothing stored or sent"
  run tm detect --backtest --since 2024-01-01
  expect_code 0
  # The reader alone, even where a writer is configured for nothing else: query, status, serve
  # and a dry run need nothing more.
  local reader=$TM_DATABASE_URL_READER
  for cmd in "query --csv" "status" "detect --dry-run"; do
    run tm $cmd --db "$reader"
    [ "$CODE" -le 2 ] || fail "tm $cmd --db reader: exit $CODE; $ERR"
    expect_not_contains "$ERR" "permission denied" "tm $cmd as the reader"
  done
  local port=$((20000 + RANDOM % 20000))
  # The program itself, not the tm() function: a function in the background is a subshell, and
  # killing that would leave the server running.
  "$TM_BIN/tm" serve --db "$reader" --listen "127.0.0.1:$port" >/dev/null 2>"$E2E_TMP/serve.err" &
  local pid=$!
  local body=""
  for _ in $(seq 50); do body=$(curl -sf "http://127.0.0.1:$port/protocols" 2>/dev/null) && break; sleep 0.1; done
  kill "$pid"; wait "$pid" 2>/dev/null
  expect_contains "$body" '"asset":"aave"' "/protocols as the reader"
  # A pull given the reader cannot write, and says so.
  run tm pull defillama --metrics TVL --db "$reader"
  [ "$CODE" != 0 ] || fail "a pull as the reader succeeded"
  # tm compact as the writer: rolling up is DML; freeing a month goes through the owner's
  # tm_points_reclaim.
  printf '[[retention]]\nsource = "defillama"\nraw_days = 1\n' >"$E2E_TMP/retention.toml"
  TM_NOW=2030-01-01T00:00:00Z run tm compact --config "$E2E_TMP/retention.toml"
  expect_code 0
  expect_contains "$OUT" " dropped"
  expect_eq "$(as "$reader" "SELECT count(*) FROM points")" "0" "points after tm compact"
}

case_roles_cannot_do_more() {
  new_database
  local owner=$TM_DATABASE_URL_OWNER writer=$TM_DATABASE_URL_WRITER reader=$TM_DATABASE_URL_READER
  expect_contains "$(as "$reader" "INSERT INTO pulls (source, kind) VALUES ('x', 'pull')")" "read-only transaction"
  expect_contains "$(as "$reader" "BEGIN READ WRITE; DELETE FROM points; COMMIT")" "permission denied"
  expect_contains "$(as "$reader" "SELECT pg_read_file('/etc/hostname')")" "permission denied"
  expect_contains "$(as "$writer" "DROP TABLE points")" "must be owner"
  expect_contains "$(as "$writer" "INSERT INTO schema_migrations VALUES (999, 'x', 'y')")" "permission denied"
  expect_contains "$(as "$writer" "COPY (SELECT 1) TO PROGRAM 'true'")" "must be superuser"
  expect_contains "$(as "$writer" "CREATE TABLE elsewhere (a int)")" "permission denied"
  expect_contains "$(as "$owner" "COPY (SELECT 1) TO '/tmp/x'")" "must be superuser"
  # The candles are rows the writer keeps; partitions are the owner's, made and freed for the
  # writer only through tm_points_partitions and tm_points_reclaim (SECURITY DEFINER).
  expect_not_contains "$(as "$writer" "DELETE FROM rollups")" "ERROR" "the writer changing candles"
  expect_contains "$(as "$reader" "BEGIN READ WRITE; DELETE FROM rollups; COMMIT")" "permission denied"
  expect_contains "$(as "$writer" "DROP TABLE points_default")" "must be owner"
  expect_not_contains "$(as "$writer" "SELECT tm_points_partitions(ARRAY['2024-01-01'::timestamptz])")" "ERROR" "the writer making a month"
  expect_contains "$(as "$reader" "SELECT tm_points_partitions(ARRAY['2024-02-01'::timestamptz])")" "permission denied"
  expect_contains "$(as "$reader" "SELECT tm_points_reclaim('points_2024_01')")" "permission denied"
}

case_roles_sql_for_an_administrator() {
  # An external database whose administrator runs the printed SQL, then tm setup as the owner,
  # who is no superuser.
  new_database --empty
  run tm setup --print-roles-sql
  expect_code 0
  expect_contains "$OUT" "CREATE ROLE tm_writer"
  printf '%s\n' "$OUT" | psql -qX -v ON_ERROR_STOP=1 -d "${TM_DATABASE_URL#dbname=}" >/dev/null 2>"$E2E_TMP/psql.err" \
    || fail "the printed SQL failed: $(cat "$E2E_TMP/psql.err")"
  run tm setup --db "$TM_DATABASE_URL user=tm_owner"
  expect_code 0
  expect_contains "$OUT" "schema: applied 001_core.sql"
  expect_contains "$OUT" "roles: tm_owner, tm_writer, tm_reader granted"
  run tm pull defillama --metrics TVL
  expect_code 0
  run tm query --sql "SELECT count(*) AS n FROM points" --csv
  expect_code 0
  expect_eq "$OUT" "$(printf 'n\n%s' "$(sql "SELECT count(*) FROM points")")" "points read back as the reader"
  expect_sql "SELECT count(*) > 0 FROM points" "t"
}

case_conninfo_that_psql_accepts() {
  new_database
  local db=${TM_DATABASE_URL#dbname=}
  # A value with a space and a quote, and a password that must not be printed.
  run tm setup --print-conninfo --db "dbname=$db application_name='tm e2e\\'s' password=hunter2x"
  expect_code 0
  expect_not_contains "$OUT" "hunter2x"
  expect_eq "$(psql -qtAX "$OUT" -c "SELECT current_setting('application_name')")" "tm e2e's" "psql with the printed conninfo"
  run tm setup --print-conninfo --db "postgresql:///$db?application_name=x%20y"
  expect_eq "$(psql -qtAX "$OUT" -c "SELECT current_database() || '/' || current_setting('application_name')")" "$db/x y" "from a URI"
  run tm setup --print-conninfo --role writer
  expect_contains "$OUT" "user=tm_writer"
  expect_eq "$(psql -qtAX "$OUT" -c "SELECT current_user")" "tm_writer" "the writer's conninfo"
  run tm setup --print-conninfo --role nobody
  expect_code 2
}

case_pgservice_alone() {
  new_database
  local db=${TM_DATABASE_URL#dbname=}
  cat >"$E2E_TMP/pg_service.conf" <<EOF
[tm_e2e]
host=$PGHOST
port=$PGPORT
dbname=$db
user=tm_reader
EOF
  # Nothing but PGSERVICE (and where its file is) names the database.
  run env -u TM_DATABASE_URL -u TM_DATABASE_URL_READER -u TM_DATABASE_URL_WRITER -u TM_DATABASE_URL_OWNER \
    -u PGHOST -u PGPORT -u PGDATABASE -u PGUSER TM_HOME="$E2E_TMP/no-embedded" \
    PGSERVICEFILE="$E2E_TMP/pg_service.conf" PGSERVICE=tm_e2e "$TM_BIN/tm" query --sql "SELECT current_database() AS d" --csv
  expect_code 0
  expect_eq "$OUT" "$(printf 'd\n%s' "$db")" "the service's database"
  run env -u TM_DATABASE_URL -u TM_DATABASE_URL_READER -u PGHOST -u PGPORT -u PGDATABASE -u PGUSER \
    PGSERVICEFILE="$E2E_TMP/pg_service.conf" PGSERVICE=tm_e2e "$TM_BIN/tm" setup --print-conninfo
  expect_contains "$OUT" "service=tm_e2e" "the printed conninfo"
  expect_eq "$(env -u PGHOST -u PGPORT -u PGDATABASE -u PGUSER PGSERVICEFILE="$E2E_TMP/pg_service.conf" \
    psql -qtAX "$OUT" -c "SELECT current_database()")" "$db" "psql with the printed conninfo"
}

run_cases
