# Helpers for the end-to-end tests: the real binaries against tests/support/fixture_server.py
# and a fresh database per case on the test cluster (PG* variables, set by scripts/test).
# Each test_*.sh defines functions named case_*; run_cases runs them all and prints a summary.
set -u

: "${TM_BIN:?TM_BIN must point at the bin folder of a build}"
: "${TM_SOURCE_DIR:?TM_SOURCE_DIR must point at the source tree}"
: "${PGHOST:?the test database server is not set up (run through scripts/test)}"

E2E_TMP=$(mktemp -d "${TMPDIR:-/tmp}/tm-e2e.XXXXXX")
E2E_DATABASES=()
E2E_SERVER_PID=""
E2E_FAILURES=0
E2E_PASSED=0
E2E_FAILED_CASES=()

cleanup() {
  if declare -F extra_cleanup >/dev/null; then extra_cleanup; fi
  [ -n "$E2E_SERVER_PID" ] && kill "$E2E_SERVER_PID" 2>/dev/null
  for d in "${E2E_DATABASES[@]}"; do
    psql -qX -d postgres -c "DROP DATABASE IF EXISTS $d WITH (FORCE)" >/dev/null 2>&1
  done
  if [ "${TM_KEEP_E2E:-}" = "" ]; then rm -rf "$E2E_TMP"; else echo "kept $E2E_TMP" >&2; fi
}
trap cleanup EXIT

# The process environment must not leak a developer's real settings into a test.
unset DEFILLAMA_API_KEY TM_DATABASE_URL DATABASE_URL TM_NOW TM_HOME TM_DEFILLAMA_PRO_URL TM_DEFILLAMA_BRIDGES_URL \
  TM_DATABASE_URL_OWNER TM_DATABASE_URL_WRITER TM_DATABASE_URL_READER PGSERVICE

tm() { "$TM_BIN/tm" "$@"; }

# need_packages PKG...: installs the Debian packages a test needs that are missing (scripts/test
# installs them up front; this keeps a single script runnable on a clean machine).
need_packages() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} = 0 ] && return 0
  echo "  installing ${missing[*]}" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null
}

# start_fixture_server [ROOT]: serves ROOT (default tests/fixtures/http).
start_fixture_server() {
  local port_file="$E2E_TMP/port"
  python3 "$TM_SOURCE_DIR/tests/support/fixture_server.py" --root "${1:-$TM_SOURCE_DIR/tests/fixtures/http}" \
    --port-file "$port_file" >"$E2E_TMP/server.log" 2>&1 &
  E2E_SERVER_PID=$!
  for _ in $(seq 100); do [ -s "$port_file" ] && break; sleep 0.05; done
  FIXTURE_PORT=$(cat "$port_file")
  FIXTURE_URL="http://127.0.0.1:$FIXTURE_PORT"
  export TM_DEFILLAMA_URL="$FIXTURE_URL/defillama"
  export TM_DEFILLAMA_STABLECOINS_URL="$FIXTURE_URL/defillama-stablecoins"
  export TM_DEFILLAMA_YIELDS_URL="$FIXTURE_URL/defillama-yields"
}

# Serves the pro host at $FIXTURE_URL/pro/KEY/... from the free fixtures, as pro-api.llama.fi
# serves {KEY}/api, /stablecoins, /yields and /bridges.
pro_aliases() {
  local key=$1
  control alias "{\"from\": \"/pro/$key/api/\", \"to\": \"/defillama/\"}"
  control alias "{\"from\": \"/pro/$key/stablecoins/\", \"to\": \"/defillama-stablecoins/\"}"
  control alias "{\"from\": \"/pro/$key/yields/\", \"to\": \"/defillama-yields/\"}"
  control alias "{\"from\": \"/pro/$key/bridges/\", \"to\": \"/defillama-bridges/\"}"
}

# Bodies go through stdin: a fault can carry a body larger than an argument may be.
control() { printf '%s' "${2:-}" | curl -sf -X POST --data-binary @- "$FIXTURE_URL/_control/$1" >/dev/null; }
fault() { control faults "[$1]"; }
reset_server() { control reset; }
# How many requests reached PATH so far.
requests_to() {
  curl -sf "$FIXTURE_URL/_control/log" | python3 -c "import json,sys; print(sum(1 for r in json.load(sys.stdin) if r['path']=='$1'))"
}
request_log() { curl -sf "$FIXTURE_URL/_control/log"; }

# A new database with the tm schema, made current through TM_DATABASE_URL.
new_database() {
  local name="tm_e2e_$$_${#E2E_DATABASES[@]}"
  psql -qX -d postgres -c "CREATE DATABASE $name" >/dev/null
  E2E_DATABASES+=("$name")
  export TM_DATABASE_URL="dbname=$name"
  # Every command connects as the least role it needs, as deployed (tm setup makes the roles).
  export TM_DATABASE_URL_WRITER="dbname=$name user=tm_writer"
  export TM_DATABASE_URL_READER="dbname=$name user=tm_reader"
  # The first setup of a database is a superuser's (TM_DATABASE_URL): it creates the roles and
  # hands the schema to tm_owner, whose address later setups use. --empty leaves that first
  # setup to the test.
  unset TM_DATABASE_URL_OWNER
  if [ "${1:-}" != "--empty" ]; then
    tm setup >/dev/null 2>"$E2E_TMP/setup.err" || { cat "$E2E_TMP/setup.err" >&2; return 1; }
    export TM_DATABASE_URL_OWNER="dbname=$name user=tm_owner"
  fi
}

sql() { psql -qtAX -d "${TM_DATABASE_URL#dbname=}" -c "$1"; }

# run CMD...: runs it, keeping stdout, stderr and the exit code in OUT, ERR, CODE.
run() {
  "$@" >"$E2E_TMP/out" 2>"$E2E_TMP/err"
  CODE=$?
  OUT=$(cat "$E2E_TMP/out")
  ERR=$(cat "$E2E_TMP/err")
}

fail() {
  echo "    FAIL: $*" >&2
  E2E_FAILURES=$((E2E_FAILURES + 1))
}
expect_code() {
  [ "$CODE" = "$1" ] || fail "expected exit $1, got $CODE; stderr: $ERR"
}
expect_eq() { # expect_eq ACTUAL EXPECTED WHAT
  [ "$1" = "$2" ] || fail "${3:-value}: expected '$2', got '$1'"
}
expect_sql() { # expect_sql QUERY EXPECTED
  local got
  got=$(sql "$1")
  [ "$got" = "$2" ] || fail "SQL '$1': expected '$2', got '$got'"
}
expect_contains() { # expect_contains TEXT NEEDLE WHAT
  case "$1" in *"$2"*) ;; *) fail "${3:-output} does not contain '$2': $1" ;; esac
}
expect_not_contains() {
  case "$1" in *"$2"*) fail "${3:-output} contains '$2'" ;; *) ;; esac
}
expect_one_line() { # a user-facing error is one line
  local n
  n=$(printf '%s\n' "$1" | grep -c .)
  [ "$n" = 1 ] || fail "expected a one-line message, got $n lines: $1"
}

run_cases() {
  local cases
  cases=$(declare -F | awk '{print $3}' | grep '^case_' || true)
  for c in $cases; do
    local before=$E2E_FAILURES
    echo "  $c" >&2
    # Only with a fixture server: without one, FIXTURE_URL is unset and set -u would end the
    # pipeline's subshell through the EXIT trap, which deletes E2E_TMP.
    [ -z "$E2E_SERVER_PID" ] || reset_server 2>/dev/null || true
    "$c"
    if [ "$E2E_FAILURES" = "$before" ]; then
      E2E_PASSED=$((E2E_PASSED + 1))
    else
      E2E_FAILED_CASES+=("$c")
    fi
  done
  local failed=${#E2E_FAILED_CASES[@]}
  echo "$E2E_PASSED passed, $failed failed"
  [ "$failed" = 0 ] || { echo "failed: ${E2E_FAILED_CASES[*]}" >&2; exit 1; }
}

# interactive ANSWERS...: drives `tm query --interactive` through a pseudo-terminal, one answer
# per prompt, and prints the transcript (answers shown as <answer>, carriage returns dropped).
interactive() {
  python3 - "$TM_BIN/tm" "$@" <<'PY'
import os, pty, select, sys, time
tm, answers = sys.argv[1], sys.argv[2:]
pid, fd = pty.fork()
if pid == 0:
    os.execv(tm, [tm, "query", "--interactive"])
seen, deadline = b"", time.time() + 20
def read_until_prompt():
    global seen
    while time.time() < deadline:
        r, _, _ = select.select([fd], [], [], 0.2)
        if r:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                return False
            if not chunk:
                return False
            seen += chunk
            if seen.rstrip().endswith(b"]:"):
                return True
    return False
for a in answers:
    if not read_until_prompt():
        break
    seen += b"<" + a.encode() + b">"
    os.write(fd, a.encode() + b"\n")
read_until_prompt()
os.waitpid(pid, 0)
sys.stdout.buffer.write(seen.replace(b"\r", b""))
PY
}
