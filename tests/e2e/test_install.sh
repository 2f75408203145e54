#!/usr/bin/env bash
# cmake --install into a DESTDIR: every file where a Debian admin expects it, with its mode; the
# installed tm runs its own tm-* programs; units and crontab name the installed tm and parse;
# tm.env lists every variable tm reads and survives a reinstall; the logrotate rule rotates the
# alert log; man pages render without warnings; the bash completion completes commands,
# sources, flags and values. Needs man-db, groff-base, bash-completion, logrotate (scripts/test
# installs them).
source "$(dirname "$0")/lib.sh"

BUILD=$(cd "$TM_BIN/.." && pwd)
DEST=$E2E_TMP/dest
PREFIX=$DEST/usr/local
COMMANDS="setup pull backfill detect serve status query compact"

for tool in man groff logrotate; do
  command -v "$tool" >/dev/null || { echo "test_install: $tool is missing (apt-get install man-db groff-base logrotate)" >&2; exit 1; }
done
[ -f /usr/share/bash-completion/bash_completion ] ||
  { echo "test_install: bash-completion is missing (apt-get install bash-completion)" >&2; exit 1; }

install_into() { # install_into DESTDIR [cmake --install flags]: quiet unless it fails
  local dest=$1
  shift
  DESTDIR=$dest cmake --install "$BUILD" "$@" >"$E2E_TMP/install.log" 2>&1 ||
    { cat "$E2E_TMP/install.log" >&2; fail "cmake --install failed"; return 1; }
}
install_into "$DEST" || exit 1

# The installed tree, one line per path: mode, type (f file, d folder, l link -> target), path.
listing() {
  (cd "$1" && find . -mindepth 1 -printf '%m %y %P -> %l\n' | sed 's/ -> $//' | sort -k3)
}

case_layout_file_by_file() {
  local expected
  expected=$( {
    cat <<'EOF'
755 d etc
755 d etc/logrotate.d
644 f etc/logrotate.d/tm
755 d etc/tm
600 f etc/tm/tm.env
755 d usr
755 d usr/local
755 d usr/local/bin
755 f usr/local/bin/tm
755 f usr/local/bin/tm-backfill
755 f usr/local/bin/tm-compact
755 f usr/local/bin/tm-detect
755 f usr/local/bin/tm-pull
755 f usr/local/bin/tm-query
755 f usr/local/bin/tm-serve
755 f usr/local/bin/tm-setup
755 f usr/local/bin/tm-status
755 d usr/local/share
755 d usr/local/share/bash-completion
755 d usr/local/share/bash-completion/completions
644 f usr/local/share/bash-completion/completions/tm
777 l usr/local/share/bash-completion/completions/tm-backfill -> tm
777 l usr/local/share/bash-completion/completions/tm-compact -> tm
777 l usr/local/share/bash-completion/completions/tm-detect -> tm
777 l usr/local/share/bash-completion/completions/tm-pull -> tm
777 l usr/local/share/bash-completion/completions/tm-query -> tm
777 l usr/local/share/bash-completion/completions/tm-serve -> tm
777 l usr/local/share/bash-completion/completions/tm-setup -> tm
777 l usr/local/share/bash-completion/completions/tm-status -> tm
755 d usr/local/share/doc
755 d usr/local/share/doc/tm
644 f usr/local/share/doc/tm/README.md
755 d usr/local/share/doc/tm/examples
644 f usr/local/share/doc/tm/examples/tm.env
755 d usr/local/share/man
755 d usr/local/share/man/man1
644 f usr/local/share/man/man1/tm-backfill.1
644 f usr/local/share/man/man1/tm-compact.1
644 f usr/local/share/man/man1/tm-detect.1
644 f usr/local/share/man/man1/tm-pull.1
644 f usr/local/share/man/man1/tm-query.1
644 f usr/local/share/man/man1/tm-serve.1
644 f usr/local/share/man/man1/tm-setup.1
644 f usr/local/share/man/man1/tm-status.1
644 f usr/local/share/man/man1/tm.1
755 d usr/local/share/tm
755 d usr/local/share/tm/config
644 f usr/local/share/tm/config/artemis.csv
644 f usr/local/share/tm/config/defillama.csv
644 f usr/local/share/tm/config/entities.csv
755 d usr/local/share/tm/config/prometheus
644 f usr/local/share/tm/config/prometheus/tm-alerts.yml
644 f usr/local/share/tm/config/retention.toml
644 f usr/local/share/tm/config/rules.toml
755 d usr/local/share/tm/crontab
644 f usr/local/share/tm/crontab/tm.crontab
755 d usr/local/share/tm/crontab/systemd
755 d usr/local/share/tm/demo
755 d usr/local/share/tm/demo/defillama
644 f usr/local/share/tm/demo/defillama/README.md
644 f usr/local/share/tm/demo/defillama/recorded_at
755 d usr/local/share/tm/schema
755 d usr/local/share/tm/scripts
755 f usr/local/share/tm/scripts/install-schedule
755 d var
755 d var/log
750 d var/log/tm
EOF
    # Sets that grow with the project: every migration, unit and recorded response.
    for f in "$TM_SOURCE_DIR"/schema/*.sql; do echo "644 f usr/local/share/tm/schema/${f##*/}"; done
    (cd "$TM_SOURCE_DIR/crontab/systemd" && find . -mindepth 1 -printf '%y %P\n') | while read -r type path; do
      if [ "$type" = d ]; then echo "755 d usr/local/share/tm/crontab/systemd/$path"; else echo "644 f usr/local/share/tm/crontab/systemd/$path"; fi
    done
    for f in "$TM_SOURCE_DIR"/config/demo/defillama/*.{meta,body}; do echo "644 f usr/local/share/tm/demo/defillama/${f##*/}"; done
  } | sort -k3)
  local got
  got=$(listing "$DEST")
  [ "$got" = "$expected" ] || fail "installed tree differs from the expected layout:
$(diff <(echo "$expected") <(echo "$got"))"
  # Installed files are the built ones, not stale copies.
  cmp -s "$PREFIX/bin/tm-pull" "$TM_BIN/tm-pull" || fail "bin/tm-pull is not the built program"
  cmp -s "$PREFIX/share/tm/config/rules.toml" "$TM_SOURCE_DIR/config/rules.toml" || fail "rules.toml differs"
  cmp -s "$DEST/etc/tm/tm.env" "$TM_SOURCE_DIR/config/tm.env" || fail "etc/tm/tm.env is not config/tm.env"
}

# With nothing but the system on PATH, and a decoy tm-status on it, the installed front-end
# runs the tm-* programs installed beside it.
case_installed_tm_runs_its_siblings() {
  mkdir -p "$E2E_TMP/decoy"
  printf '#!/bin/sh\necho decoy tm-status\n' >"$E2E_TMP/decoy/tm-status"
  chmod +x "$E2E_TMP/decoy/tm-status"
  PATH=$E2E_TMP/decoy:/usr/bin:/bin run "$PREFIX/bin/tm" status --help
  expect_code 0
  expect_contains "$OUT" "Usage: tm-status"
  expect_not_contains "$OUT" "decoy"
  for cmd in $COMMANDS; do
    PATH=/usr/bin:/bin run "$PREFIX/bin/tm" help "$cmd"
    expect_code 0
    expect_contains "$OUT" "Usage: tm-$cmd" "tm help $cmd"
  done
  # Away from the build tree the migrations and rules are built in: an installed tm sets up a
  # database and judges the shipped rules.
  new_database --empty
  PATH=/usr/bin:/bin run "$PREFIX/bin/tm" setup
  expect_code 0
  PATH=/usr/bin:/bin run "$PREFIX/bin/tm" detect --dry-run
  expect_code 0
}

# The installed install-schedule checks the installed schedules against the installed programs
# (every line by cron's parser, systemd-analyze and TM_CHECK_ARGS) and renders them naming the
# installed tm: what an admin runs after `cmake --install`.
case_installed_schedules_check_and_name_the_installed_tm() {
  local installer="$PREFIX/share/tm/scripts/install-schedule"
  mkdir -p "$E2E_TMP/state/log" "$E2E_TMP/state/export" "$E2E_TMP/state/metrics"
  PATH=/usr/bin:/bin:/usr/sbin:/sbin run "$installer" cron --print --env ARTEMIS_API_KEY=k-install \
    --log-dir "$E2E_TMP/state/log" --export-dir "$E2E_TMP/state/export" --metrics-dir "$E2E_TMP/state/metrics"
  expect_code 0
  expect_contains "$OUT" "TM=$PREFIX/bin/tm" "the rendered crontab"
  expect_contains "$OUT" "TM_CONFIG=$PREFIX/share/tm/config" "the rendered crontab"
  # (the units read the keys from /etc/tm/tm.env; here a test one)
  cp -r "$PREFIX/share/tm/crontab/systemd" "$E2E_TMP/src-units"
  echo 'ARTEMIS_API_KEY="k-install"' >"$E2E_TMP/test.env"
  sed -i "s#^EnvironmentFile=.*#EnvironmentFile=-$E2E_TMP/test.env#" "$E2E_TMP/src-units/tm-.service.d/10-tm.conf"
  PATH=/usr/bin:/bin:/usr/sbin:/sbin run "$installer" systemd --units "$E2E_TMP/src-units" --dest "$E2E_TMP/units" --no-enable
  expect_code 0
  expect_contains "$(cat "$E2E_TMP/units/tm-pull@.service")" "ExecStart=$PREFIX/bin/tm pull %i" "the rendered unit"
  expect_not_contains "$(cat "$E2E_TMP"/units/*.service)" "@TM@" "rendered units"
}

# `cmake --install --prefix DIR` (chosen at install time) moves every path written in a file.
case_prefix_chosen_at_install_time() {
  local dest=$E2E_TMP/dest-opt
  install_into "$dest" --prefix /opt/tm || return
  # The schedules' installer finds the programs of its own prefix.
  mkdir -p "$E2E_TMP/opt-state/log" "$E2E_TMP/opt-state/export" "$E2E_TMP/opt-state/metrics"
  PATH=/usr/bin:/bin:/usr/sbin:/sbin run "$dest/opt/tm/share/tm/scripts/install-schedule" cron --print \
    --env ARTEMIS_API_KEY=k-install --log-dir "$E2E_TMP/opt-state/log" \
    --export-dir "$E2E_TMP/opt-state/export" --metrics-dir "$E2E_TMP/opt-state/metrics"
  expect_code 0
  expect_contains "$OUT" $'\nTM='"$dest/opt/tm/bin/tm"$'\n' "crontab rendered from /opt/tm"
  [ -x "$dest/opt/tm/bin/tm-pull" ] || fail "no /opt/tm/bin/tm-pull"
  [ -f "$dest/opt/tm/share/man/man1/tm-pull.1" ] || fail "no /opt/tm/share/man/man1/tm-pull.1"
}

# tm.env is the admin's after the first install: a reinstall keeps their edits.
case_reinstall_keeps_tm_env() {
  local dest=$E2E_TMP/dest-again
  install_into "$dest" || return
  echo "ARTEMIS_API_KEY=theirs" >>"$dest/etc/tm/tm.env"
  install_into "$dest" || return
  expect_contains "$(cat "$dest/etc/tm/tm.env")" "ARTEMIS_API_KEY=theirs" "tm.env after a reinstall"
  expect_contains "$(cat "$E2E_TMP/install.log")" "Keeping: $dest/etc/tm/tm.env" "install log"
  cmp -s "$dest/usr/local/share/doc/tm/examples/tm.env" "$TM_SOURCE_DIR/config/tm.env" ||
    fail "the pristine tm.env changed"
}

# Every variable the code reads (getenv, and the URL and key names it passes around) and every
# one the README's Configuration table names is in tm.env, commented out.
case_tm_env_lists_every_variable() {
  local names name env_file=$DEST/etc/tm/tm.env
  names=$( { grep -rhoE 'getenv\("[A-Z_][A-Z0-9_]*"' "$TM_SOURCE_DIR/lib" "$TM_SOURCE_DIR/apps" | sed 's/.*("//; s/"$//' ;
             grep -rhoE '"(TM|PG|DEFILLAMA|ARTEMIS|COINGECKO|SLACK|DATABASE)_?[A-Z0-9_]*"' "$TM_SOURCE_DIR/lib" "$TM_SOURCE_DIR/apps" | tr -d '"' ;
             sed -n '/^## Configuration/,/^## /p' "$TM_SOURCE_DIR/README.md" | grep -oE '^\| `[A-Z][A-Z0-9_]*`' | tr -d '|` ' ;
           } | sort -u | grep -vxE 'HOME|PATH|USER|XDG_DATA_HOME')
  [ "$(echo "$names" | wc -l)" -ge 25 ] || fail "found too few variable names in the code: $names"
  for name in $names; do
    grep -q "^#$name=" "$env_file" || fail "tm.env does not list $name"
  done
  grep -q 'XDG_DATA_HOME' "$env_file" || fail "tm.env does not mention XDG_DATA_HOME (TM_HOME's default)"
  # Nothing is set: every value is commented out, secrets included.
  expect_eq "$(grep -cvE '^(#|$)' "$env_file")" 0 "uncommented lines in tm.env"
}

# The installed rule, pointed at a scratch folder, rotates the alert log by renaming it.
case_logrotate_rotates_the_alert_log() {
  local dir=$E2E_TMP/logs
  mkdir -m 0750 "$dir"
  sed "s#/var/log/tm/#$dir/#g" "$DEST/etc/logrotate.d/tm" >"$E2E_TMP/logrotate.conf"
  chmod 0644 "$E2E_TMP/logrotate.conf"
  expect_contains "$(cat "$DEST/etc/logrotate.d/tm")" "/var/log/tm/alerts.txt" "logrotate rule"
  (umask 077 && echo "opened critical tvl_drop defillama/aave/TVL" >"$dir/alerts.txt")
  run logrotate -v -f -s "$E2E_TMP/logrotate.state" "$E2E_TMP/logrotate.conf"
  expect_code 0
  expect_not_contains "$ERR" "error:" "logrotate"
  [ -f "$dir/alerts.txt.1" ] || fail "alerts.txt was not rotated to alerts.txt.1: $(ls "$dir")"
  [ ! -e "$dir/alerts.txt" ] || fail "logrotate created a new alerts.txt (tm creates it, 0600)"
  expect_eq "$(stat -c %a "$dir/alerts.txt.1")" 600 "mode of the rotated alert log"
}

case_man_pages_render_without_warnings() {
  local page warnings
  for page in tm $(printf 'tm-%s ' $COMMANDS); do
    warnings=$(LC_ALL=C.UTF-8 man --warnings -l "$PREFIX/share/man/man1/$page.1" 2>&1 >/dev/null)
    [ -z "$warnings" ] || fail "man $page: $warnings"
    run env MANWIDTH=200 LC_ALL=C.UTF-8 man -l "$PREFIX/share/man/man1/$page.1"
    expect_contains "$OUT" "SEE ALSO" "man $page"
  done
  # Pages come from the programs' own help: each has its command's summary and every flag.
  for cmd in $COMMANDS; do
    local summary flag rendered
    summary=$("$TM_BIN/tm" help | sed -n "s/^  $cmd  *//p")
    rendered=$(MANWIDTH=400 LC_ALL=C.UTF-8 man -l "$PREFIX/share/man/man1/tm-$cmd.1" 2>/dev/null)
    expect_contains "$rendered" "tm-$cmd - $summary" "man tm-$cmd NAME"
    for flag in $("$TM_BIN/tm-$cmd" --help | grep -oE '^  -[-a-z,]+' | tr ',' ' '); do
      expect_contains "$rendered" "$flag" "man tm-$cmd"
    done
  done
  rendered=$(MANWIDTH=400 LC_ALL=C.UTF-8 man -l "$PREFIX/share/man/man1/tm.1" 2>/dev/null)
  expect_contains "$rendered" "ENVIRONMENT" "man tm"
  expect_contains "$rendered" "ARTEMIS_API_KEY" "man tm"
  expect_contains "$rendered" "artemis, …" "man tm (UTF-8 kept)"
}

# complete WORD...: COMPREPLY of the installed completion for the command line WORD... (the last
# word is the one being completed), sorted, one line.
complete_words() {
  bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
           COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}; _tm; printf "%s\n" "${COMPREPLY[@]}" | sort | xargs' \
    complete "$PREFIX/share/bash-completion/completions/tm" "$@"
}

expect_completion() { # expect_completion "EXPECTED" WORD...
  local expected=$1 got
  shift
  got=$(complete_words "$@")
  [ "$got" = "$expected" ] || fail "completing '$*': expected '$expected', got '$got'"
}

case_completion_of_partial_words() {
  expect_completion "pull" tm pu
  expect_completion "serve setup status" tm s
  expect_completion "backfill" tm help ba
  expect_completion "defillama" tm pull def
  expect_completion "artemis binance coinbase coingecko defillama hyperliquid kraken" tm backfill ""
  expect_completion "--record --replay --restart --retries --retry-delay" tm backfill defillama --re
  expect_completion "--overwrite" tm backfill defillama --since 2024-01-01 --ov
  expect_completion "json" tm pull defillama --log-format j
  expect_completion "chain coin" tm query --kind c
  expect_completion "history" tm query hi
  expect_completion "--stop" tm setup --st
  # A program called directly, and a value that is a path.
  expect_completion "--print-conninfo" tm-setup --print-c
  expect_completion "$TM_SOURCE_DIR/config/demo" tm pull defillama --replay "$TM_SOURCE_DIR/config/dem"
  # Every flag of every command, as its --help lists them.
  local cmd flags
  for cmd in $COMMANDS; do
    flags=$("$TM_BIN/tm-$cmd" --help | grep -oE '^  -[-a-z,]+' | tr ',' '\n' | sed 's/^ *//' | grep -- '^--' | sort | xargs)
    expect_completion "$flags" tm "$cmd" --
  done
}

# bash-completion finds the completion by the program's name, tm-pull through its link.
case_bash_completion_loads_it() {
  run env XDG_DATA_DIRS="$PREFIX/share" bash -c '
    source /usr/share/bash-completion/bash_completion
    for p in tm tm-pull; do __load_completion "$p" && complete -p "$p"; done'
  expect_contains "$OUT" "complete -F _tm tm" "bash-completion"
  expect_contains "$OUT" "complete -F _tm tm-pull" "bash-completion"
}

run_cases
