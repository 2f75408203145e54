#!/usr/bin/env bash
# A throw-away PostgreSQL cluster for the test suite: unix socket only, in DIR.
#   pg_cluster.sh start DIR   → initdb + start, prints the PG* exports to eval
#   pg_cluster.sh stop DIR    → stop and delete
#   pg_cluster.sh restart DIR → fast restart (connections are dropped; for the fault tests)
# initdb and postgres refuse to run as root, so as root they run as the postgres user.
set -euo pipefail
cmd=${1:?usage: pg_cluster.sh start|stop|restart DIR}
dir=${2:?usage: pg_cluster.sh start|stop|restart DIR}

bindir=${TM_PG_BINDIR:-}
if [ -z "$bindir" ]; then
  if command -v pg_ctl >/dev/null 2>&1; then
    bindir=$(dirname "$(command -v pg_ctl)")
  else
    bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  fi
fi
[ -x "$bindir/pg_ctl" ] || { echo "pg_cluster.sh: PostgreSQL server programs not found (apt-get install postgresql)" >&2; exit 1; }

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$cmd" in
start)
  mkdir -p "$dir"
  chmod 755 "$dir"
  [ "$(id -u)" = 0 ] && chown postgres: "$dir"
  as_owner "$bindir/initdb" -D "$dir/data" -U tm_test --auth-local=trust --auth-host=reject \
    -E UTF8 --locale=C --no-instructions >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
  # Durability is pointless for a throw-away cluster; speed is not.
  cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$dir'
unix_socket_permissions = 0777
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 100
CONF
  as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 -s start \
    || { cat "$dir/server.log" >&2; exit 1; }
  echo "export PGHOST='$dir' PGPORT=5432 PGUSER=tm_test PGDATABASE=postgres"
  ;;
restart)
  as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -m fast -w -t 60 -s restart \
    || { cat "$dir/server.log" >&2; exit 1; }
  ;;
stop)
  if [ -f "$dir/data/postmaster.pid" ]; then
    as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate -w -s stop || true
  fi
  rm -rf "$dir"
  ;;
*)
  echo "usage: pg_cluster.sh start|stop|restart DIR" >&2
  exit 2
  ;;
esac
