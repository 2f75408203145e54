#!/usr/bin/env bash
# Read replicas (README "Past one machine"): a streaming replica made with pg_basebackup -R
# serves tm query, tm status and tm serve through TM_DATABASE_URL_READER
# alone, while pulls write to the primary; a writer pointed at the replica is refused by the
# server with one line.
. "$(dirname "$0")/lib.sh"
start_fixture_server

BINDIR=$(dirname "$(command -v pg_ctl 2>/dev/null || ls -d /usr/lib/postgresql/*/bin/pg_ctl | sort -V | tail -n 1)")
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
PRIMARY="$E2E_TMP/primary"
REPLICA="$E2E_TMP/replica"
SERVE_PID=""
extra_cleanup() {
  [ -n "$SERVE_PID" ] && kill "$SERVE_PID" 2>/dev/null
  [ -f "$REPLICA/data/postmaster.pid" ] && as_postgres "$BINDIR/pg_ctl" -D "$REPLICA/data" -m immediate -w -s stop
  "$TM_SOURCE_DIR/tests/support/pg_cluster.sh" stop "$PRIMARY" >/dev/null 2>&1
}

case_reader_on_a_streaming_replica() {
  chmod 755 "$E2E_TMP" # the clusters run as postgres when the test runs as root
  "$TM_SOURCE_DIR/tests/support/pg_cluster.sh" start "$PRIMARY" >/dev/null || { fail "primary"; return; }
  mkdir -p "$REPLICA"
  chmod 755 "$REPLICA"
  [ "$(id -u)" = 0 ] && chown postgres: "$REPLICA"
  psql -qX -h "$PRIMARY" -d postgres -c "CREATE DATABASE tm" >/dev/null
  # tm setup as the primary's superuser: schema and roles, which the replica then has too.
  tm setup --db "host=$PRIMARY dbname=tm" >/dev/null || { fail "setup"; return; }
  as_postgres pg_basebackup -h "$PRIMARY" -U tm_test -D "$REPLICA/data" -R -X stream >/dev/null \
    || { fail "pg_basebackup"; return; }
  echo "unix_socket_directories = '$REPLICA'" >>"$REPLICA/data/postgresql.conf"
  as_postgres "$BINDIR/pg_ctl" -D "$REPLICA/data" -l "$REPLICA/server.log" -w -t 60 -s start \
    || { fail "replica start: $(cat "$REPLICA/server.log")"; return; }
  expect_eq "$(psql -qtAX -h "$REPLICA" -d tm -c "SELECT pg_is_in_recovery()")" "t" "the replica is a standby"

  unset TM_DATABASE_URL
  export TM_DATABASE_URL_OWNER="host=$PRIMARY dbname=tm user=tm_owner"
  export TM_DATABASE_URL_WRITER="host=$PRIMARY dbname=tm user=tm_writer"
  export TM_DATABASE_URL_READER="host=$REPLICA dbname=tm user=tm_reader"
  export TM_NOW=2024-03-13T05:17:00Z
  run tm pull defillama -q --rate-limit 100000
  expect_code 0
  # What the primary committed reaches the replica.
  local lsn
  lsn=$(psql -qtAX -h "$PRIMARY" -d tm -c "SELECT pg_current_wal_lsn()")
  for _ in $(seq 100); do
    [ "$(psql -qtAX -h "$REPLICA" -d tm -c "SELECT pg_last_wal_replay_lsn() >= '$lsn'")" = t ] && break
    sleep 0.1
  done
  local points
  points=$(psql -qtAX -h "$PRIMARY" -d tm -c "SELECT count(*) FROM points")
  [ "$points" -gt 0 ] || fail "the pull stored nothing"
  expect_eq "$(psql -qtAX -h "$REPLICA" -d tm -c "SELECT count(*) FROM points")" "$points" "points on the replica"

  # The readers, on the replica alone: the same answers as from the primary.
  run tm query latest --csv
  expect_code 0
  local from_replica=$OUT
  TM_DATABASE_URL_READER="host=$PRIMARY dbname=tm user=tm_reader" run tm query latest --csv
  expect_eq "$OUT" "$from_replica" "tm query latest from the replica and from the primary"
  expect_contains "$from_replica" "defillama,aave,TVL"
  TM_NOW=2024-03-13T06:00:00Z run tm status
  expect_code 0
  expect_contains "$OUT" "database: host=$REPLICA user=tm_reader dbname=tm (TM_DATABASE_URL_READER)"
  local port
  port=$(python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
  "$TM_BIN/tm" serve -q --listen "127.0.0.1:$port" &
  SERVE_PID=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.05; done
  expect_contains "$(curl -sf "http://127.0.0.1:$port/protocols/aave/history?metric=TVL")" '"asset":"aave"' "tm serve from the replica"

  # A writer given the replica: the server refuses the first write, tm says so in one line.
  TM_DATABASE_URL_WRITER="host=$REPLICA dbname=tm user=tm_writer" run tm pull defillama -q --rate-limit 100000
  expect_code 1
  expect_contains "$ERR" "read-only transaction"
  expect_one_line "$ERR"
}

run_cases
