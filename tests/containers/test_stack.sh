#!/usr/bin/env bash
# The container image and compose stack for real, with podman: builds the images from the
# Dockerfile (making the debian:bookworm base images locally with mmdebstrap when no registry
# has been used: no test touches the internet, Debian's mirror aside), brings compose.yaml up with
# the fixture server as an extra service, and checks that the scheduler's pulls land, tm serve
# answers on the published port, `tm status` in the container is OK, no secret is in an image,
# and the data survives `down` and `up`. Everything it started (containers, network, volumes)
# is removed at the end; the images stay, as the build cache for the next run.
#
# Needs root (rootful podman; mmdebstrap). Installs podman podman-compose mmdebstrap runc
# netavark aardvark-dns docker-compose when missing; exits 77 (skipped) only when they cannot be
# installed. (docker-compose only checks compose.yaml against the Compose specification.)
# TM_KEEP_STACK=1 leaves the stack running for a look.
set -uo pipefail
SRC=${TM_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
export TM_SOURCE_DIR=$SRC
export CONTAINERS_CONF="$SRC/tests/containers/containers.conf"
T0=$SECONDS
FAILURES=0
log() { printf '[%4ds] %s\n' $((SECONDS - T0)) "$*" >&2; }
fail() { echo "    FAIL: $*" >&2; FAILURES=$((FAILURES + 1)); }
skip() { echo "SKIP: $*" >&2; exit 77; }
expect_eq() { [ "$1" = "$2" ] || fail "${3:-value}: expected '$2', got '$1'"; }
expect_contains() { case "$1" in *"$2"*) ;; *) fail "${3:-output} does not contain '$2': $1" ;; esac; }

# ---- podman, installed when missing
[ "$(id -u)" = 0 ] || skip "the container test needs root (rootful podman and mmdebstrap); run scripts/test as root"
packages=(podman podman-compose mmdebstrap runc netavark aardvark-dns docker-compose)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]}"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"; } \
    >/dev/null 2>&1 || skip "podman cannot be installed here (apt-get install ${missing[*]} failed)"
fi
podman info >/dev/null || { echo "FAIL: podman is installed but does not work (podman info)" >&2; exit 1; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/tm-containers.XXXXXX")
PROJECT="tmtest$$"
compose() {
  podman-compose -p "$PROJECT" -f "$WORK/compose.yaml" -f "$WORK/compose.test.yaml" "$@" >>"$WORK/compose.log" 2>&1
}
cleanup() {
  if [ -n "${TM_KEEP_STACK:-}" ]; then
    echo "kept: podman-compose -p $PROJECT -f $WORK/compose.yaml -f $WORK/compose.test.yaml down -v" >&2
    return
  fi
  compose down -v
  # A container podman-compose could not remove (one restarting, say) goes too.
  podman ps -aq --filter "label=io.podman.compose.project=$PROJECT" | xargs -r podman rm -f >/dev/null 2>&1
  # podman-compose 1.0.3 leaves the project's network behind.
  podman network rm -f "${PROJECT}_default" >/dev/null 2>&1
  for v in db exports logs; do podman volume rm -f "${PROJECT}_$v" >/dev/null 2>&1; done
  rm -rf "$WORK"
}
trap cleanup EXIT

# ---- the base images, made locally when absent (no registry: Debian's mirror only)
make_base_images() {
  local mirror root="$WORK/rootfs"
  mirror=/etc/apt/sources.list.d/debian.sources
  [ -f "$mirror" ] || mirror=$(awk '/^deb /{print $2; exit}' /etc/apt/sources.list)
  log "making debian:bookworm and debian:bookworm-slim with mmdebstrap"
  # The merged-usr hook, as debootstrap does it: without it bookworm pulls in usrmerge and perl.
  mmdebstrap --variant=minbase --quiet --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr \
    bookworm "$root" "$mirror" >"$WORK/mmdebstrap.log" 2>&1 || { cat "$WORK/mmdebstrap.log" >&2; return 1; }
  tar -C "$root" --numeric-owner -cf "$WORK/bookworm.tar" . || return 1
  # bookworm-slim: the same without documentation, manuals and translations, now and for
  # whatever is installed later (the official slim image's dpkg excludes).
  cat >"$root/etc/dpkg/dpkg.cfg.d/docker-slim" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
EOF
  find "$root/usr/share/doc" -mindepth 1 ! -type d ! -name copyright -delete
  find "$root/usr/share/doc" -mindepth 1 -type d -empty -delete
  rm -rf "$root"/usr/share/{man,groff,info,lintian,linda}/*
  find "$root/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} +
  tar -C "$root" --numeric-owner -cf "$WORK/bookworm-slim.tar" . || return 1
  rm -rf "$root"
  local tag
  for tag in bookworm bookworm-slim; do
    podman import --quiet --change 'CMD ["bash"]' "$WORK/$tag.tar" "docker.io/library/debian:$tag" >/dev/null || return 1
    podman tag "docker.io/library/debian:$tag" "localhost/debian:$tag" || return 1
    rm -f "$WORK/$tag.tar"
  done
}
if ! podman image exists docker.io/library/debian:bookworm || ! podman image exists docker.io/library/debian:bookworm-slim; then
  make_base_images || { echo "FAIL: could not make the base images" >&2; exit 1; }
fi
log "base images ready"

# ---- the images: the fixture server's (the build stage), the database's, tm's
build() { # build TAG [--target STAGE]
  local tag=$1
  shift
  podman build --quiet "$@" -t "$tag" "$SRC" >"$WORK/build.log" 2>&1 || { cat "$WORK/build.log" >&2; return 1; }
}
build localhost/tm:latest || { echo "FAIL: podman build of the tm image" >&2; exit 1; }
log "built localhost/tm:latest"
build localhost/tm-db:latest --target db || { echo "FAIL: podman build of the db image" >&2; exit 1; }
build localhost/tm-build:test --target build || { echo "FAIL: podman build of the build stage" >&2; exit 1; }
size=$(podman image inspect localhost/tm:latest --format '{{.Size}}')
log "images built; localhost/tm:latest is $((size / 1000000)) MB, localhost/tm-db:latest $(($(podman image inspect localhost/tm-db:latest --format '{{.Size}}') / 1000000)) MB"
[ "$size" -lt 200000000 ] || fail "the tm image is $((size / 1000000)) MB; it should stay well under 200 MB"
expect_eq "$(podman run --rm localhost/tm:latest id -u)" 10001 "the image's user"
expect_contains "$(podman run --rm localhost/tm:latest tm --version)" "tm " "tm --version in the image"
# The image's schedule is the shipped crontab as cmake --install writes it, and tm-cron reads it.
SHIPPED=/usr/local/share/tm/crontab/tm.crontab
expect_eq "$(podman run --rm localhost/tm:latest grep '^TM=' "$SHIPPED")" "TM=/usr/local/bin/tm" "the image's crontab"
podman run --rm localhost/tm:latest tm-cron --due 2024-03-13T00:05:00Z "$SHIPPED" >/dev/null ||
  fail "tm-cron does not read the image's crontab"

# ---- the stack: the shipped compose.yaml, the test's env file and its extra service
secret() { printf 'pw%s' "$(head -c 18 /dev/urandom | sha256sum | head -c 24)"; }
WRITER_PASSWORD=$(secret) READER_PASSWORD=$(secret)
PORT=$(python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
cp "$SRC/compose.yaml" "$SRC/tests/containers/compose.test.yaml" "$WORK/"
export TM_SERVE_PORT="127.0.0.1:$PORT"
FIXTURES=http://fixtures:8000
# tm.env as compose.yaml's header makes it, plus the fixture server's addresses.
sed -e "s/WRITER_PASSWORD/$WRITER_PASSWORD/" -e "s/READER_PASSWORD/$READER_PASSWORD/" \
  "$SRC/config/compose.env" >"$WORK/tm.env"
printf '%s\n' "TM_DEFILLAMA_URL=$FIXTURES/defillama" "TM_DEFILLAMA_STABLECOINS_URL=$FIXTURES/defillama-stablecoins" \
  "TM_DEFILLAMA_YIELDS_URL=$FIXTURES/defillama-yields" "TM_HYPERLIQUID_URL=$FIXTURES/hyperliquid" >>"$WORK/tm.env"

psql_db() { podman exec "${PROJECT}_db_1" psql -qtAX -d tm -c "$1" 2>/dev/null; }
wait_for() { # wait_for SECONDS WHAT COMMAND…: until COMMAND succeeds
  local seconds=$1 what=$2 deadline=$((SECONDS + $1))
  shift 2
  until "$@"; do
    [ $SECONDS -lt $deadline ] || { fail "waited $seconds s in vain for $what"; return 1; }
    sleep 1
  done
}
# stack_failed WHAT: the services' last log lines, and the end of the test.
stack_failed() {
  local s
  for s in db tm serve fixtures; do
    echo "---- $s" >&2
    podman logs --tail 15 "${PROJECT}_${s}_1" >&2 2>&1
  done
  echo "FAIL: $1" >&2
  exit 1
}
pulled() { [ "$(psql_db "SELECT count(DISTINCT source) FROM pulls WHERE status = 'ok' AND source IN ('defillama', 'hyperliquid')")" = 2 ]; }
serving() { curl -sf "http://127.0.0.1:$PORT/health" >/dev/null; }

# Docker users get the same file: it must be valid Compose as docker-compose reads it.
(cd "$WORK" && docker-compose -f compose.yaml config -q) || fail "docker-compose does not accept compose.yaml"

log "up"
compose up -d --no-build || { cat "$WORK/compose.log" >&2; fail "podman-compose up"; exit 1; }
wait_for 180 "a pull of each feed to land" pulled || stack_failed "the stack did not come up"
wait_for 60 "tm serve on 127.0.0.1:$PORT" serving || stack_failed "tm serve did not answer"
log "pulls landed, serve answers"

# The scheduler's pulls landed in the db service's database, whose tables tm_owner owns.
expect_eq "$(psql_db "SELECT count(*) > 50 FROM points")" "t" "points stored"
expect_eq "$(psql_db "SELECT string_agg(DISTINCT tableowner, ',') FROM pg_tables WHERE schemaname = 'public'")" \
  "tm_owner" "owner of tm's tables"
expect_eq "$(podman exec "${PROJECT}_tm_1" id -u)" 10001 "the scheduler's user"
# tm_reader logs in over the network with the password from tm.env, and can only read (from the
# fixtures container, whose image has psql); serve has no writer's address at all.
reader="postgresql://tm_reader:$READER_PASSWORD@db/tm"
expect_eq "$(podman exec "${PROJECT}_fixtures_1" psql -qtAX "$reader" -c "SELECT count(*) > 0 FROM points" 2>&1)" \
  "t" "tm_reader's read over the network"
expect_contains "$(podman exec "${PROJECT}_fixtures_1" psql -qtAX "$reader" -c "DELETE FROM points" 2>&1)" \
  "read-only transaction" "tm_reader's delete"
expect_eq "$(podman exec "${PROJECT}_serve_1" printenv TM_DATABASE_URL_WRITER)" "" "serve's writer address"
# tm serve on the published port.
expect_contains "$(curl -s "http://127.0.0.1:$PORT/health")" '"database":"reachable"' "/health"
curl -s "http://127.0.0.1:$PORT/protocols?metric=TVL" | python3 -c "
import json, sys
rows = json.load(sys.stdin)
assert len(rows) > 0 and all(r['metric'] == 'TVL' for r in rows), rows
" || fail "/protocols has no TVL rows"
# The dashboard from the image alone: its pages and the charting library built into tm serve
# (the runtime image has no libjs-dygraphs and no network).
expect_contains "$(curl -s "http://127.0.0.1:$PORT/")" "<table" "the dashboard's overview"
expect_eq "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/static/dygraph.min.js")" 200 \
  "the dashboard's charting library"
# tm status inside the scheduler's container, with its environment: the exit code through
# podman exec (podman-compose 1.0.3's exec always exits 0), the text through compose as well.
status=$(podman exec "${PROJECT}_tm_1" tm status 2>&1)
code=$?
expect_eq "$code" 0 "tm status exit code ($status)"
expect_contains "$status" "TM OK - 2 sources ok" "tm status"
compose exec -T tm tm status
expect_contains "$(cat "$WORK/compose.log")" "TM OK - 2 sources ok" "podman-compose exec tm tm status"
# The passwords reached the containers from tm.env: no image holds them, no container log and
# nothing podman-compose printed shows them.
logs=$(for s in db tm serve; do podman logs "${PROJECT}_${s}_1" 2>&1; done)
expect_contains "$logs" "tm-cron info: 2 jobs from $SHIPPED" "the scheduler's log"
expect_contains "$logs" "db-entrypoint: created the cluster" "the database's log"
for password in "$WRITER_PASSWORD" "$READER_PASSWORD"; do
  for image in localhost/tm:latest localhost/tm-db:latest; do
    if { podman image inspect "$image"; podman history --no-trunc "$image"; } | grep -q "$password"; then
      fail "$image contains a database password"
    fi
  done
  case "$logs" in *"$password"*) fail "a container log shows a database password" ;; esac
  case "$(cat "$WORK/compose.log")" in *"$password"*) fail "podman-compose printed a database password" ;; esac
done

# ---- down and up: the data is in the volume, not in a container
points=$(psql_db "SELECT count(*) FROM points")
first_pull=$(psql_db "SELECT min(pull_id) FROM pulls")
db_id=$(podman inspect --format '{{.Id}}' "${PROJECT}_db_1")
log "down"
compose down
[ -z "$(podman ps -aq --filter "label=io.podman.compose.project=$PROJECT")" ] || fail "containers left after down"
podman volume exists "${PROJECT}_db" || fail "down removed the database volume"
log "up again"
compose up -d --no-build || { cat "$WORK/compose.log" >&2; fail "podman-compose up (again)"; exit 1; }
wait_for 60 "tm serve after up" serving || stack_failed "the stack did not come up again"
[ "$(podman inspect --format '{{.Id}}' "${PROJECT}_db_1")" != "$db_id" ] || fail "the db container was not recreated"
expect_eq "$(psql_db "SELECT min(pull_id) FROM pulls")" "$first_pull" "the first pull after down/up"
expect_eq "$(psql_db "SELECT count(*) >= $points FROM points")" "t" "points after down/up (had $points)"
more_pulls() { [ "$(psql_db "SELECT count(*) FROM pulls WHERE pull_id > $first_pull AND status = 'ok'")" -ge 2 ]; }
wait_for 120 "the restarted scheduler's pulls" more_pulls
log "data survived down/up"

# ---- teardown, and nothing left behind
if [ -z "${TM_KEEP_STACK:-}" ]; then
  cleanup
  trap - EXIT
  [ -z "$(podman ps -aq --filter "label=io.podman.compose.project=$PROJECT")" ] || fail "containers left after the test"
  [ -z "$(podman volume ls -q --filter "name=$PROJECT")" ] || fail "volumes left after the test"
  podman network exists "${PROJECT}_default" && fail "the network is left after the test"
fi
log "done: $FAILURES failures"
[ "$FAILURES" = 0 ]
