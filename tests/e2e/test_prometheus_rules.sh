#!/usr/bin/env bash
# The shipped Prometheus alerting rules (config/prometheus/tm-alerts.yml): promtool checks them,
# and unit-tests them on the metrics files real runs of tm wrote (a pull that succeeded, one
# that was partial, one that failed, one whose database was down, tm status finding a CRITICAL
# feed, tm detect with an undelivered alert), each as if written at time 0 and never rewritten.
# A usage error (a mistyped source, view or metric) writes no file at all.
. "$(dirname "$0")/lib.sh"
need_packages prometheus
start_fixture_server
RULES="$TM_SOURCE_DIR/config/prometheus/tm-alerts.yml"
export TM_COINGECKO_URL="$FIXTURE_URL/coingecko"
FAST=(-q --rate-limit 100000 --retries 0 --retry-delay 1ms)

case_promtool_checks_the_rules() {
  run promtool check rules "$RULES"
  expect_code 0
  expect_contains "$OUT" "SUCCESS: 7 rules found"
}

# scenario NAME EXPECTED_EXIT CMD...: runs CMD with TM_METRICS_DIR=$E2E_TMP/files/NAME.
scenario() {
  local name=$1 expected=$2
  shift 2
  mkdir -p "$E2E_TMP/files/$name"
  TM_METRICS_DIR="$E2E_TMP/files/$name" run "$@"
  expect_code "$expected"
}

case_rules_on_the_files_tm_writes() {
  new_database
  scenario ok 0 tm pull coingecko "${FAST[@]}"
  fault '{"path": "/defillama/protocols", "times": -1, "status": 500}'
  scenario partial 3 tm pull defillama "${FAST[@]}"
  reset_server
  fault '{"path": "/coingecko/*", "times": -1, "status": 500}'
  scenario failed 1 tm pull coingecko "${FAST[@]}"
  reset_server
  TM_DATABASE_URL_WRITER="dbname=tm_no_such_$$" scenario down 4 tm pull coingecko "${FAST[@]}"
  scenario critical 2 tm status --max-age coingecko=1s
  # A detect whose Slack receiver fails: the alerts stay undelivered.
  fault '{"path": "/hooks/slack/x", "times": -1, "status": 500}'
  SLACK_WEBHOOK_URL="$FIXTURE_URL/hooks/slack/x" scenario undelivered 3 tm detect "${FAST[@]}"
  reset_server
  # Usage errors: no file, so nothing claims exit 2 forever and nothing masks the real job.
  scenario typo 2 tm pull coingeko "${FAST[@]}"
  scenario typo 2 tm query --metric NOPE
  scenario typo 2 tm pull coingecko --no-such-flag
  expect_eq "$(ls "$E2E_TMP/files/typo")" "" "metrics files after usage errors"
  expect_eq "$(ls "$E2E_TMP/files/ok")" "tm_pull_coingecko.prom" "files of a pull"
  expect_contains "$(cat "$E2E_TMP/files/partial/tm_pull_defillama.prom")" 'tm_last_run_result{command="pull",source="defillama",result="partial"} 1'
  expect_contains "$(cat "$E2E_TMP/files/critical/tm_status.prom")" 'tm_last_run_result{command="status",result="ok"} 1'

  python3 - "$E2E_TMP/files" "$RULES" >"$E2E_TMP/tests.yml" <<'PY' || { fail "cannot build the promtool tests"; return; }
import json, os, re, sys
files, rules = sys.argv[1], sys.argv[2]

def series(scenario):
    """Every sample of the scenario's files, instance=SCENARIO, times rebased so that the file
    was written at 0 (promtool's tests start at 0)."""
    out = []
    for name in sorted(os.listdir(os.path.join(files, scenario))):
        text = open(os.path.join(files, scenario, name)).read()
        samples = re.findall(r'^([a-z_]+)\{(.*)\} (\S+)$', text, re.M)
        ended = next(float(v) for n, _, v in samples if n == "tm_last_run_timestamp_seconds")
        for n, labels, v in samples:
            value = float(v) - ended if n.endswith("timestamp_seconds") else float(v)
            out.append((f'{n}{{{labels},instance="{scenario}"}}', value))
    return out

def alert(name, summary, severity, **labels):
    return {"name": name, "labels": dict(labels, severity=severity), "summary": summary}

def test(scenario, checks):
    lines = ["  - interval: 1m", "    input_series:"]
    for s, v in series(scenario):
        lines += [f"      - series: '{s}'", f"        values: '{v!r}x200'"]
    lines.append("    alert_rule_test:")
    for at, name, expected in checks:
        lines += [f"      - eval_time: {at}", f"        alertname: {name}", "        exp_alerts:" + ("" if expected else " []")]
        for e in expected:
            lines.append("          - exp_labels:")
            lines += [f"              {k}: {json.dumps(v)}" for k, v in sorted(e["labels"].items())]
            lines += ["            exp_annotations:", f"              summary: {json.dumps(e['summary'])}"]
    return lines

def late(command, source, instance):
    return alert("TmJobNotSucceeding", f"tm {command} {source} has not succeeded within two of its intervals",
                 "warning", command=command, source=source, instance=instance)

def stale(source, instance):
    return alert("TmFeedStale", f"tm's {source} feed is stale: its newest point is older than its limit",
                 "critical", command="pull", source=source, instance=instance)

ok, partial = late("pull", "coingecko", "ok"), late("pull", "defillama", "partial")
failed = alert("TmRunFailed", "the last tm pull coingecko failed (tm query pulls shows why)", "warning",
               command="pull", source="coingecko", result="failed", instance="failed")
down = alert("TmDatabaseDown", "tm cannot reach its database", "critical",
             command="pull", source="coingecko", result="database_unreachable", instance="down")
never = alert("TmJobNeverSucceeded", "tm pull coingecko has never succeeded", "warning",
              command="pull", source="coingecko", instance="failed")
undelivered = alert("TmAlertsUndelivered", "tm detect has alert events it could not deliver", "critical",
                    command="detect", instance="undelivered")
out = [f"rule_files: ['{rules}']", "evaluation_interval: 1m", "tests:"]
def value(scenario, name):
    return next(v for s, v in series(scenario) if s.startswith(name + "{"))

# A minute job that succeeded: late only after two minutes; never failed, never "down". The
# generated CoinGecko API stamps its prices in 2024: that feed is stale from the start.
out += test("ok", [("1m", "TmJobNotSucceeding", []), ("3m", "TmJobNotSucceeding", [ok]),
                   ("0m", "TmFeedStale", [stale("coingecko", "ok")]),
                   ("30m", "TmRunFailed", []), ("30m", "TmDatabaseDown", []),
                   ("30m", "TmJobNeverSucceeded", [])])
# Partial: stored its data, so an hourly job is late only after two hours, and it is no failure.
# DefiLlama's snapshot is stamped with the pull's hour: stale once it is older than 3 h.
fresh_for = value("partial", "tm_feed_max_age_seconds") + value("partial", "tm_feed_newest_point_timestamp_seconds")
assert 2 * 3600 < fresh_for <= 3 * 3600, fresh_for
out += test("partial", [("30m", "TmRunFailed", []), ("119m", "TmJobNotSucceeding", []),
                        ("121m", "TmJobNotSucceeding", [partial]),
                        (f"{int(fresh_for // 60) - 1}m", "TmFeedStale", []),
                        (f"{int(fresh_for // 60) + 1}m", "TmFeedStale", [stale("defillama", "partial")])])
out += test("failed", [("2m", "TmRunFailed", []), ("4m", "TmRunFailed", [failed]),
                       ("11m", "TmJobNeverSucceeded", [never]), ("11m", "TmDatabaseDown", [])])
out += test("down", [("1m", "TmDatabaseDown", [down]), ("10m", "TmRunFailed", [])])
# tm status exits 2 for a CRITICAL feed; its own run went fine.
out += test("critical", [("10m", "TmRunFailed", []), ("10m", "TmDatabaseDown", [])])
out += test("undelivered", [("5m", "TmAlertsUndelivered", []), ("11m", "TmAlertsUndelivered", [undelivered]),
                            ("11m", "TmRunFailed", [])])
# Nothing at all from tm detect: monitoring is blind, and says so.
out += ["  - interval: 1m", "    input_series: []", "    alert_rule_test:",
        "      - eval_time: 11m", "        alertname: TmMetricsMissing", "        exp_alerts:",
        "          - exp_labels: {severity: warning, command: detect}",
        "            exp_annotations:",
        "              summary: \"no tm detect metrics: the schedule, TM_METRICS_DIR or node_exporter's textfile collector is not working\""]
print("\n".join(out))
PY
  run promtool test rules "$E2E_TMP/tests.yml"
  expect_code 0
  [ "$CODE" = 0 ] || echo "$OUT" | head -40 >&2
}

run_cases
