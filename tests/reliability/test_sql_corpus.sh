#!/usr/bin/env bash
# tm query --sql against a corpus of hostile texts: more than one statement, escapes from a
# wrapper, transaction control, writable CTEs, DO blocks, COPY to programs and files, large
# objects, server files, settings, sequences, signals, locks, row locks, procedures, functions
# with side effects, and comments or dollar quotes hiding a second statement. Each must exit
# non-zero with one line, leave the store byte for byte as it was, and create no file.
. "$(dirname "$0")/../e2e/lib.sh"

# A folder the database server (its own OS user) could write to, were it ever asked to.
DROP_DIR=$(mktemp -d "${TMPDIR:-/tmp}/tm-sql-drop.XXXXXX")
chmod 1777 "$DROP_DIR"
extra_cleanup() { rm -rf "$DROP_DIR"; }

# The whole database (schema, privileges, every row, sequences, large objects) and tm's roles:
# what a successful attack would change.
store_checksum() {
  # (pg_dump's \restrict lines carry a random key, new in every dump)
  { pg_dump --no-comments -d "${TM_DATABASE_URL#dbname=}" | grep -v '^\\\(un\)\{0,1\}restrict '
    psql -qtAX -d postgres -c "SELECT rolname, rolsuper, rolcreaterole FROM pg_roles ORDER BY 1"
  } | md5sum
}

HOSTILE=(
  # several statements, and escapes from a wrapper the text used to be spliced into
  "select 1) as x; commit; delete from points; select * from (select 1"
  "select 1; delete from points"
  "select 1 as x; -- a comment
delete from points"
  "select \$\$;\$\$ as x; delete from points"
  "/* select 1; */ select 1 /* ; */; drop table points"
  "select 1 from (select 1) q) as z; copy (select 1) to program 'touch $DROP_DIR/wrapper'; select (1"
  # transaction control and settings
  "commit"
  "rollback"
  "begin read write"
  "set transaction read write"
  "set transaction_read_only = off"
  "set role tm_owner"
  "select set_config('default_transaction_read_only', 'off', false)"
  "select set_config('transaction_read_only', 'off', true)"
  "select set_config('role', 'tm_owner', false)"
  "select set_config('statement_timeout', '0', false)"
  # writes, in every disguise
  "delete from points returning *"
  "with d as (delete from points returning 1) select count(*) from d"
  "with u as (update points set value = 0 returning 1) select * from u"
  "insert into pulls (source, kind) values ('evil', 'pull') returning pull_id"
  "truncate points"
  "drop table points"
  "explain analyze delete from points"
  "create temp table stash as select * from points"
  "do \$\$ begin delete from points; end \$\$"
  "do \$body\$ begin execute 'copy (select 1) to program ''touch $DROP_DIR/do'''; end \$body\$"
  # the server's files and programs
  "copy (select 1) to program 'touch $DROP_DIR/program'"
  "copy points to '$DROP_DIR/points.copy'"
  "copy (select 1) to stdout"
  "select lo_import('/etc/passwd')"
  "select lo_export(lo_create(0), '$DROP_DIR/lo')"
  "select lo_create(0)"
  "select pg_read_file('/etc/passwd')"
  "select pg_read_binary_file('/etc/hostname')"
  "select * from pg_ls_dir('/')"
  # sequences, signals, locks
  "select nextval('pulls_pull_id_seq')"
  "select setval('pulls_pull_id_seq', 1)"
  "select pg_terminate_backend(pid) from pg_stat_activity where pid <> pg_backend_pid()"
  "select pg_cancel_backend(pg_backend_pid())"
  "select pg_advisory_lock(1)"
  "select pg_advisory_xact_lock(hashtextextended('tm:source:defillama', 0))"
  "select * from points for update"
  "select * from series for share"
  # procedures, functions with side effects, privileges
  "call pg_catalog.no_such_procedure()"
  "select tm_rollups_refresh(array[1], array['-infinity'::timestamptz], array['infinity'::timestamptz])"
  "select tm_points_reclaim('points_default')"
  "select pg_stat_reset()"
  "create role evil superuser login"
  "alter role tm_reader superuser"
  "grant all on points to public"
  "vacuum points"
  "prepare p as delete from points"
  "select pg_sleep(30)"
)

case_hostile_corpus() {
  new_database
  sql "INSERT INTO series (source, kind, asset, metric) VALUES ('defillama', 'protocol', 'aave', 'TVL');
       INSERT INTO points SELECT series_id, t, 100 FROM series,
         generate_series('2024-03-01'::timestamptz, '2024-03-02', '1 hour') t;
       INSERT INTO pulls (source, kind, status) VALUES ('defillama', 'pull', 'ok')" >/dev/null
  local before
  before=$(store_checksum)
  [ -n "$before" ] || fail "no checksum"
  echo "    ${#HOSTILE[@]} hostile texts" >&2
  local text
  for text in "${HOSTILE[@]}"; do
    run tm query --sql "$text" --statement-timeout 2s
    if [ "$CODE" = 0 ]; then
      fail "exit 0 for: $text"
    fi
    expect_one_line "$ERR"
    [ "$(store_checksum)" = "$before" ] || fail "the store changed after: $text"
    [ -z "$(ls -A "$DROP_DIR")" ] || fail "a file appeared after: $text ($(ls "$DROP_DIR"))"
  done
  # and the formats that stream differently: CSV (written by tm, not COPY) and JSON
  run tm query --sql "select 1) as x; commit; delete from points; select * from (select 1" --csv
  [ "$CODE" != 0 ] || fail "CSV: exit 0"
  run tm query --sql "with d as (delete from points returning 1) select count(*) from d" --json
  [ "$CODE" != 0 ] || fail "JSON: exit 0"
  [ "$(store_checksum)" = "$before" ] || fail "the store changed"
  expect_sql "SELECT count(*) FROM points" "25"
}

case_only_a_read_only_role_runs_sql() {
  new_database
  # The superuser's address, given explicitly: refused before anything runs.
  run tm query --sql "select 1" --db "dbname=${TM_DATABASE_URL#dbname=}"
  expect_code 2
  expect_contains "$ERR" "--sql runs only as a read-only role"
  expect_contains "$ERR" "superuser"
  expect_one_line "$ERR"
  run tm query --sql "select 1" --db "$TM_DATABASE_URL_WRITER"
  expect_code 2
  expect_contains "$ERR" "tm_writer has write access to"
  # The reader: a plain query works in every format, and --csv-safe applies.
  sql "INSERT INTO series (source, kind, asset, metric) VALUES ('defillama', 'protocol', '=cmd()', 'TVL')" >/dev/null
  run tm query --sql "select asset, 1.5::float8 as v, null::text as n, '' as e from series" --csv --csv-safe
  expect_code 0
  expect_eq "$OUT" "$(printf 'asset,v,n,e\n'"'"'=cmd(),1.5,,""')" "--sql CSV with --csv-safe"
  run tm query --sql "select asset from series" --csv
  expect_eq "$OUT" "$(printf 'asset\n=cmd()')" "--sql CSV without --csv-safe"
  # byte for byte what psql's \copy of the same query prints
  expect_eq "$(tm query --sql "select asset, 1.5::float8 as v, null::text as n, '' as e, 'a,\"b\"' as q from series" --csv)" \
    "$(psql -qX -d "${TM_DATABASE_URL#dbname=}" -c "\\copy (select asset, 1.5::float8 as v, null::text as n, '' as e, 'a,\"b\"' as q from series) TO STDOUT CSV HEADER")" \
    "--sql CSV against psql \\copy"
}

case_statement_timeout() {
  new_database
  run tm query --sql "select pg_sleep(5)" --statement-timeout 1s
  expect_code 1
  expect_contains "$ERR" "cancelled after the statement timeout (1s)"
  run tm query --statement-timeout 1s
  expect_code 2
  expect_contains "$ERR" "--statement-timeout goes with --sql"
}

run_cases
