#!/usr/bin/env python3
"""Runs every query of tm's Grafana dashboards against a real database, the way Grafana would.

Grafana is not packaged in Debian, so this does what Grafana does with config/grafana/ up to the
point where it sends SQL to PostgreSQL, and then sends it:

1. The data source file (provisioning/datasources/*.yaml) is read and its values interpolated as
   Grafana's provisioning does (pkg/services/provisioning/values: split on "$$", expand
   $__env{VAR} and $__file{PATH}, then Go's os.ExpandEnv for $VAR and ${VAR}). The connection is
   made from the interpolated url, user, jsonData.database, jsonData.sslmode and
   secureJsonData.password, so the test connects exactly as Grafana would.
2. The dashboard provider file must point at the dashboards' folder name and every panel must
   use the provisioned data source (by uid).
3. Template variables are evaluated in order: query variables run their SQL (itself
   interpolated) and take the first column's values, custom ones split their options. A multi
   or include-all variable expands to every value, each quoted as a SQL literal and joined with
   commas; a single-value one to its raw value with ' doubled (SqlDatasource.interpolateVariable).
4. Each target's rawSql gets the dashboard variables, then the global substitutions
   ($__interval_ms, $__interval, $__unixEpochFrom(), $__unixEpochTo(); sqleng.Interpolate), then
   the PostgreSQL macros (grafana-postgresql-datasource/macros.go: $__time, $__timeEpoch,
   $__timeFilter, $__timeFrom, $__timeTo, $__timeGroup and its pre-5.3 alias form,
   $__timeGroupAlias, $__unixEpochFilter, $__unixEpochGroup[Alias]); an unknown macro is an error.
   $__interval is Grafana's calculateInterval: (to - from) / maxDataPoints rounded by its
   roundInterval ladder, never below the panel's interval or the data source's timeInterval.
5. The expanded SQL runs through psql (one simple-protocol request, as Grafana sends it). It must
   succeed and return at least one row. A time-series target must have a "time" column, sorted
   ascending (Grafana's long-to-wide conversion refuses anything else), and every other column
   must be text (a series label) or numeric.

Prints one line per query; exits 1 if any check failed.

usage: grafana_queries.py --config config/grafana --from ISO --to ISO [--show-sql]
"""
import argparse
import csv
import datetime as dt
import glob
import io
import json
import os
import re
import subprocess
import sys

import yaml

# ---------------------------------------------------------------------------------------------
# 1. Provisioning values (pkg/services/provisioning/values/values.go, pkg/setting/expanders.go)

EXPANDER_RE = re.compile(r"\$(__\w+)\{(.*?)\}")


def expand_expanders(value):
    def repl(m):
        kind, arg = m.group(1), m.group(2)
        if kind == "__env":
            return os.environ.get(arg, "")
        if kind == "__file":
            with open(arg) as f:
                return f.read().strip()
        raise ValueError(f"expander ${kind}{{…}} is not supported here")

    return EXPANDER_RE.sub(repl, value)


def is_shell_special(c):
    return c in "*#$@!?-" or c.isdigit()


def is_alnum(c):
    return c == "_" or ("0" <= c <= "9") or ("a" <= c <= "z") or ("A" <= c <= "Z")


def get_shell_name(s):
    """Go's os.getShellName: the variable name after a '$' and how many bytes it used."""
    if s[0] == "{":
        if len(s) > 2 and is_shell_special(s[1]) and s[2] == "}":
            return s[1:2], 3
        for i in range(1, len(s)):
            if s[i] == "}":
                if i == 1:
                    return "", 2
                return s[1:i], i + 1
        return "", 1
    if is_shell_special(s[0]):
        return s[0:1], 1
    i = 0
    while i < len(s) and is_alnum(s[i]):
        i += 1
    return s[:i], i


def go_expand_env(s):
    """Go's os.ExpandEnv, byte for byte."""
    out = []
    i = 0
    j = 0
    while j < len(s):
        if s[j] == "$" and j + 1 < len(s):
            out.append(s[i:j])
            name, w = get_shell_name(s[j + 1:])
            if name == "" and w > 0:
                pass  # bad syntax: eaten
            elif name == "":
                out.append(s[j])
            else:
                out.append(os.environ.get(name, ""))
            j += w
            i = j + 1
        j += 1
    out.append(s[i:])
    return "".join(out)


def interpolate_value(value):
    return "$".join(go_expand_env(expand_expanders(part)) for part in value.split("$$"))


def interpolate_tree(node):
    if isinstance(node, dict):
        return {k: interpolate_tree(v) for k, v in node.items()}
    if isinstance(node, list):
        return [interpolate_tree(v) for v in node]
    if isinstance(node, str):
        return interpolate_value(node)
    return node


# ---------------------------------------------------------------------------------------------
# Checks, reported as they happen

FAILURES = []


def fail(where, why):
    FAILURES.append(f"{where}: {why}")
    print(f"FAIL {where}: {why}")


def read_datasource(config):
    files = sorted(glob.glob(os.path.join(config, "provisioning", "datasources", "*.yaml")))
    if len(files) != 1:
        raise SystemExit(f"expected one data source file under {config}/provisioning/datasources, found {files}")
    raw_text = open(files[0]).read()
    raw = yaml.safe_load(raw_text)
    sources = raw.get("datasources") or []
    if raw.get("apiVersion") != 1 or len(sources) != 1:
        raise SystemExit(f"{files[0]}: expected apiVersion 1 and one data source")
    raw_ds = sources[0]
    where = os.path.basename(files[0])
    if raw_ds.get("type") != "grafana-postgresql-datasource":
        fail(where, f"type is {raw_ds.get('type')!r}, expected grafana-postgresql-datasource")
    secret = (raw_ds.get("secureJsonData") or {}).get("password")
    # The password must come from the environment, never from the file itself.
    if not isinstance(secret, str) or not re.fullmatch(r"\$\{\w+\}|\$__env\{\w+\}|\$__file\{[^}]+\}", secret):
        fail(where, "secureJsonData.password must be one ${VARIABLE} (or $__env{…}/$__file{…}) reference, not a value")
    for key in ("password", "basicAuthPassword"):
        if key in raw_ds:
            fail(where, f"top-level {key} is stored in clear; use secureJsonData")
    ds = interpolate_tree(raw_ds)
    if ds.get("user") != "tm_reader":
        fail(where, f"user is {ds.get('user')!r}: Grafana must connect as the read-only role tm_reader")
    if not (ds.get("jsonData") or {}).get("database"):
        fail(where, "jsonData.database is empty (Grafana 12 reads the database only from jsonData)")
    return ds


def read_provider(config):
    files = sorted(glob.glob(os.path.join(config, "provisioning", "dashboards", "*.yaml")))
    if len(files) != 1:
        raise SystemExit(f"expected one dashboard provider file under {config}/provisioning/dashboards")
    raw = yaml.safe_load(open(files[0]))
    providers = raw.get("providers") or []
    where = os.path.basename(files[0])
    if raw.get("apiVersion") != 1 or len(providers) != 1 or providers[0].get("type") != "file":
        fail(where, "expected apiVersion 1 and one provider of type file")
    elif not os.path.isabs((providers[0].get("options") or {}).get("path", "")):
        fail(where, "the provider's options.path must be an absolute folder")


def conninfo(ds):
    """libpq keywords from the interpolated data source (url is host:port or a socket folder)."""
    url = ds.get("url", "")
    host, port = url, "5432"
    m = re.fullmatch(r"(.*):(\d+)", url)
    if m:
        host, port = m.group(1), m.group(2)
    json_data = ds.get("jsonData") or {}
    env = dict(os.environ)
    for k in ("PGHOST", "PGPORT", "PGUSER", "PGDATABASE", "PGPASSWORD", "PGSERVICE", "PGSSLMODE"):
        env.pop(k, None)
    env.update(PGHOST=host, PGPORT=port, PGUSER=ds.get("user", ""), PGDATABASE=json_data.get("database", ""),
               PGPASSWORD=(ds.get("secureJsonData") or {}).get("password", ""),
               PGSSLMODE=json_data.get("sslmode", "disable"), PGAPPNAME="grafana_queries.py")
    return env


def run_sql(env, sql):
    """(header, rows) of one request, or raises RuntimeError with psql's message."""
    p = subprocess.run(["psql", "-X", "-q", "--csv", "-v", "ON_ERROR_STOP=1", "-c", sql],
                       env=env, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(p.stderr.strip() or f"psql exited {p.returncode}")
    rows = list(csv.reader(io.StringIO(p.stdout)))
    if not rows:
        return [], []
    return rows[0], rows[1:]


# ---------------------------------------------------------------------------------------------
# 3.-4. Interpolation

def parse_interval_ms(text):
    """gtime.ParseInterval / rangeutil.describeInterval for the units dashboards use."""
    m = re.fullmatch(r"(\d+)(ms|s|m|h|d|w|M|y)", text.strip().strip("'"))
    if not m:
        raise ValueError(f"bad interval {text!r}")
    unit_ms = {"ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000, "w": 604_800_000,
               "M": 2_592_000_000, "y": 31_536_000_000}[m.group(2)]
    return int(m.group(1)) * unit_ms


ROUND_LADDER = [  # rangeutil.roundInterval: (below, result), both in ms
    (10, 1), (15, 10), (35, 20), (75, 50), (150, 100), (350, 200), (750, 500), (1500, 1000),
    (3500, 2000), (7500, 5000), (12500, 10000), (17500, 15000), (25000, 20000), (45000, 30000),
    (90000, 60000), (210000, 120000), (450000, 300000), (750000, 600000), (1050000, 900000),
    (1500000, 1200000), (2700000, 1800000), (5400000, 3600000), (9000000, 7200000),
    (16200000, 10800000), (32400000, 21600000), (86400000, 43200000), (604800000, 86400000),
    (1814400000, 604800000), (3628800000, 2592000000)]


def round_interval(ms):
    for below, result in ROUND_LADDER:
        if ms < below:
            return result
    return 31_536_000_000


def format_interval(ms):
    """A compact interval string that gtime.ParseInterval reads back to the same length."""
    for unit, size in (("y", 31_536_000_000), ("w", 604_800_000), ("d", 86_400_000), ("h", 3_600_000),
                       ("m", 60_000), ("s", 1000)):
        if ms >= size and ms % size == 0:
            return f"{ms // size}{unit}"
    return f"{ms}ms"


def calculate_interval_ms(t_from, t_to, max_points, low_limit):
    ms = round_interval((t_to - t_from).total_seconds() * 1000 / max_points)
    if low_limit:
        ms = max(ms, parse_interval_ms(low_limit))
    return ms


def rfc3339nano(t):
    """Go's time.RFC3339Nano in UTC: trailing zeros of the fraction dropped, Z."""
    t = t.astimezone(dt.timezone.utc)
    base = t.strftime("%Y-%m-%dT%H:%M:%S")
    if t.microsecond:
        base += ("." + f"{t.microsecond:06d}").rstrip("0")
    return base + "Z"


def quote_literal(v):
    return "'" + str(v).replace("'", "''") + "'"


VARIABLE_RE = re.compile(r"\$(\w+)|\[\[(\w+)(?::(\w+))?\]\]|\$\{(\w+)(?::([^}]+))?\}")


def interpolate_variables(sql, variables):
    """templateSrv.replace with SqlDatasource.interpolateVariable as the formatter."""
    def repl(m):
        name = m.group(1) or m.group(2) or m.group(4)
        fmt = m.group(3) or m.group(5)
        if name not in variables:
            return m.group(0)  # built-ins ($__interval, $__timeFilter, …) are handled later
        var = variables[name]
        values = var["values"]
        if fmt in ("raw",):
            return ",".join(values)
        if fmt not in (None, "sqlstring"):
            raise ValueError(f"variable format {fmt!r} of ${name} is not handled by this check")
        if var["multi"] or var["include_all"] or fmt == "sqlstring":
            return ",".join(quote_literal(v) for v in values)
        return values[0].replace("'", "''")

    return VARIABLE_RE.sub(repl, sql)


def global_substitutions(sql, interval_ms, t_from, t_to):
    """sqleng.Interpolate (the frontend replaces $__interval the same way first)."""
    sql = sql.replace("$__interval_ms", str(interval_ms))
    sql = sql.replace("$__interval", format_interval(interval_ms))
    sql = sql.replace("$__unixEpochFrom()", str(int(t_from.timestamp())))
    sql = sql.replace("$__unixEpochTo()", str(int(t_to.timestamp())))
    return sql


MACRO_RE = re.compile(r"\$([_a-zA-Z0-9]+)\(([^\)]*)\)")


def interval_seconds_text(text):
    """Go's %v of interval.Seconds(): an integer prints without a fraction."""
    seconds = parse_interval_ms(text) / 1000
    return str(int(seconds)) if seconds == int(seconds) else repr(seconds)


def evaluate_macro(name, args, t_from, t_to):
    if name in ("__time", "__timeEpoch", "__timeFilter", "__unixEpochFilter", "__unixEpochNanoFilter") and not args[0]:
        raise ValueError(f"missing time column argument for macro {name}")
    if name == "__time":
        return f'{args[0]} AS "time"'
    if name == "__timeEpoch":
        return f'extract(epoch from {args[0]}) as "time"'
    if name == "__timeFilter":
        return f"{args[0]} BETWEEN '{rfc3339nano(t_from)}' AND '{rfc3339nano(t_to)}'"
    if name == "__timeFrom":
        return f"'{rfc3339nano(t_from)}'"
    if name == "__timeTo":
        return f"'{rfc3339nano(t_to)}'"
    if name in ("__timeGroup", "__timeGroupAlias"):
        if len(args) < 2:
            raise ValueError(f"macro {name} needs time column and interval and optional fill value")
        if len(args) == 3:
            raise ValueError("fill modes are not used by tm's dashboards")
        s = interval_seconds_text(args[1])
        group = f"floor(extract(epoch from {args[0]})/{s})*{s}"
        return group + (' AS "time"' if name == "__timeGroupAlias" else "")
    if name == "__unixEpochFilter":
        return f"{args[0]} >= {int(t_from.timestamp())} AND {args[0]} <= {int(t_to.timestamp())}"
    if name in ("__unixEpochGroup", "__unixEpochGroupAlias"):
        s = interval_seconds_text(args[1])
        group = f"floor(({args[0]})/{s})*{s}"
        return group + (' AS "time"' if name == "__unixEpochGroupAlias" else "")
    raise ValueError(f"unknown macro {name!r}")


def expand_macros(sql, t_from, t_to):
    """postgresMacroEngine.Interpolate, including the pre-5.3 $__timeGroup(…), alias rule."""
    def repl(m):
        name = m.group(1)
        if name == "__timeGroup":
            index = sql.find(m.group(0))
            if index >= 0:
                index += len(m.group(0))
                if len(sql) > index and sql[index] == ",":
                    name = "__timeGroupAlias"
        args = [a.strip(" ") for a in m.group(2).split(",")]
        return evaluate_macro(name, args, t_from, t_to)

    return MACRO_RE.sub(repl, sql)


def interpolate(sql, variables, interval_ms, t_from, t_to):
    sql = interpolate_variables(sql, variables)
    sql = global_substitutions(sql, interval_ms, t_from, t_to)
    return expand_macros(sql, t_from, t_to)


# ---------------------------------------------------------------------------------------------
# 5. Result shapes

def parse_time(text):
    try:
        return float(text)  # epoch seconds from $__timeGroup
    except ValueError:
        return dt.datetime.fromisoformat(text.replace(" ", "T")).timestamp()


def is_number(text):
    if text == "":
        return True  # NULL
    try:
        float(text)
        return True
    except ValueError:
        return False


def check_shape(where, fmt, header, rows):
    if not rows:
        fail(where, "returned no rows")
        return
    if fmt == "table":
        return
    if "time" not in header:
        fail(where, f"time series without a 'time' column (columns: {header})")
        return
    ti = header.index("time")
    try:
        times = [parse_time(r[ti]) for r in rows]
    except ValueError as e:
        fail(where, f"'time' column is not a time: {e}")
        return
    if any(b < a for a, b in zip(times, times[1:])):
        fail(where, "time series not sorted ascending by time (Grafana cannot convert it)")
    numeric = [i for i in range(len(header)) if i != ti and all(is_number(r[i]) for r in rows)]
    if not numeric:
        fail(where, f"time series without a numeric value column (columns: {header})")


# ---------------------------------------------------------------------------------------------

def walk_panels(panels):
    for p in panels:
        yield p
        yield from walk_panels(p.get("panels") or [])


def evaluate_variables(dash, env, ds_uid, interval_ms, t_from, t_to, name):
    variables = {}
    for v in (dash.get("templating") or {}).get("list") or []:
        where = f"{name} ${v.get('name')}"
        kind = v.get("type")
        var = {"multi": bool(v.get("multi")), "include_all": bool(v.get("includeAll")), "values": []}
        if kind == "query":
            if (v.get("datasource") or {}).get("uid") != ds_uid:
                fail(where, "variable does not use the provisioned data source")
            query = v.get("query")
            if isinstance(query, dict):
                query = query.get("rawSql") or query.get("query")
            sql = interpolate(query, variables, interval_ms, t_from, t_to)
            try:
                header, rows = run_sql(env, sql)
            except RuntimeError as e:
                fail(where, f"query failed: {e}\n    {sql}")
                continue
            if not rows:
                fail(where, "query returned no values")
                continue
            # transformMetricFindResponse: __value/__text columns, or the first column.
            col = header.index("__value") if "__value" in header else 0
            options = [r[col] for r in rows]
        elif kind == "custom":
            options = [o.strip() for o in re.split(r"(?<!\\),", v.get("query", "")) if o.strip()]
        elif kind in ("constant", "textbox"):
            options = [v.get("query", "")]
        else:
            fail(where, f"variable type {kind!r} is not handled by this check")
            continue
        current = (v.get("current") or {}).get("value")
        current = current if isinstance(current, list) else [current] if current is not None else []
        if var["multi"] or var["include_all"]:
            if not current or "$__all" in current:
                if v.get("allValue"):
                    fail(where, "a custom all value is not handled by this check")
                var["values"] = options
            else:
                var["values"] = [c for c in current if c in options] or options
        else:
            var["values"] = [current[0]] if current and current[0] in options else options[:1]
        print(f"ok   {where}: {len(options)} options, using {len(var['values'])}")
        variables[v["name"]] = var
    return variables


def check_dashboard(path, env, ds, t_from, t_to, show_sql):
    name = os.path.basename(path)
    dash = json.load(open(path))
    ds_uid = ds.get("uid")
    for key in ("uid", "title", "panels", "schemaVersion"):
        if key not in dash:
            fail(name, f"missing {key}")
    if dash.get("id") is not None:
        fail(name, "a provisioned dashboard must have id null")
    ds_low = (ds.get("jsonData") or {}).get("timeInterval")
    low = ds_low or None
    base_ms = calculate_interval_ms(t_from, t_to, 1000, low)
    variables = evaluate_variables(dash, env, ds_uid, base_ms, t_from, t_to, name)
    queries = 0
    for panel in walk_panels(dash.get("panels") or []):
        if panel.get("type") == "row":
            continue
        title = panel.get("title", "?")
        if (panel.get("datasource") or {}).get("uid") != ds_uid:
            fail(f"{name} / {title}", "panel does not use the provisioned data source")
        targets = panel.get("targets") or []
        if not targets and panel.get("type") != "text":
            fail(f"{name} / {title}", "panel has no query")
        low_limit = panel.get("interval") or low
        max_points = panel.get("maxDataPoints") or 1000
        interval_ms = calculate_interval_ms(t_from, t_to, max_points, low_limit)
        for t in targets:
            where = f"{name} / {title} / {t.get('refId')}"
            if (t.get("datasource") or {}).get("uid") not in (None, ds_uid):
                fail(where, "target does not use the provisioned data source")
            fmt = t.get("format")
            if fmt not in ("time_series", "table"):
                fail(where, f"format {fmt!r}: expected time_series or table")
            if not t.get("rawQuery") or t.get("editorMode") != "code":
                fail(where, "expected a raw SQL query in code mode")
            try:
                sql = interpolate(t.get("rawSql", ""), variables, interval_ms, t_from, t_to)
            except ValueError as e:
                fail(where, f"interpolation failed: {e}")
                continue
            if "$" in re.sub(r"'[^']*'", "", sql):
                fail(where, f"something was left uninterpolated: {sql}")
                continue
            if show_sql:
                print(f"---- {where}\n{sql}")
            queries += 1
            try:
                header, rows = run_sql(env, sql)
            except RuntimeError as e:
                fail(where, f"query failed: {e}\n    {sql}")
                continue
            before = len(FAILURES)
            check_shape(where, fmt, header, rows)
            if len(FAILURES) == before:
                print(f"ok   {where}: {len(rows)} rows, columns {', '.join(header)}")
    return queries


def self_test():
    """This emulation against Grafana's own expectations (macros_test.go, values_test.go,
    rangeutil, variable-interpolation tests), so that a drift in it shows up here."""
    t0 = dt.datetime(2018, 4, 12, 18, 0, tzinfo=dt.timezone.utc)
    t1 = t0 + dt.timedelta(minutes=5)
    cases = [
        ("select $__time(time_column)", 'select time_column AS "time"'),
        ("WHERE $__timeFilter(time_column)", "WHERE time_column BETWEEN '2018-04-12T18:00:00Z' AND '2018-04-12T18:05:00Z'"),
        ("select $__timeFrom()", "select '2018-04-12T18:00:00Z'"),
        ("select $__timeTo()", "select '2018-04-12T18:05:00Z'"),
        ("SELECT $__timeGroup(time_column,'5m'), value", 'SELECT floor(extract(epoch from time_column)/300)*300 AS "time", value'),
        ("SELECT $__timeGroup(time_column,'5m') as time, value", "SELECT floor(extract(epoch from time_column)/300)*300 as time, value"),
        ("$__timeGroup(time_column , '5m')", "floor(extract(epoch from time_column)/300)*300"),
        ("SELECT $__timeGroupAlias(time_column,'5m')", 'SELECT floor(extract(epoch from time_column)/300)*300 AS "time"'),
        ("select $__unixEpochFilter(time)", "select time >= 1523556000 AND time <= 1523556300"),
        ("SELECT $__unixEpochGroup(time_column+time_adjustment,'5m')", "SELECT floor((time_column+time_adjustment)/300)*300"),
    ]
    bad = 0
    for given, want in cases:
        got = expand_macros(given, t0, t1)
        if got != want:
            bad += 1
            print(f"FAIL macro {given!r}: got {got!r}, want {want!r}")
    half = dt.datetime(1960, 2, 1, 7, 0, 0, 500000, tzinfo=dt.timezone.utc)
    if rfc3339nano(half) != "1960-02-01T07:00:00.5Z":
        bad += 1
        print(f"FAIL RFC3339Nano: {rfc3339nano(half)}")
    os.environ.update(GQ_A="alpha", GQ_P="Pa$sw0rd")
    for given, want in [("${GQ_A}", "alpha"), ("$GQ_A/x", "alpha/x"), ("$__env{GQ_A}", "alpha"), ("a$$b", "a$b"),
                        ("${GQ_P}", "Pa$sw0rd"), ("${}x", "x"), ("cost$", "cost$"), ("${GQ_UNSET_VARIABLE}", "")]:
        got = interpolate_value(given)
        if got != want:
            bad += 1
            print(f"FAIL provisioning value {given!r}: got {got!r}, want {want!r}")
    for span, points, low, want in [(dt.timedelta(days=30), 1000, None, "30m"), (dt.timedelta(hours=1), 1000, "1m", "1m"),
                                    (dt.timedelta(days=365), 1000, "1h", "6h"), (dt.timedelta(days=7), 1000, "1h", "1h")]:
        got = format_interval(calculate_interval_ms(t0, t0 + span, points, low))
        if got != want:
            bad += 1
            print(f"FAIL interval of {span} / {points} (low {low}): got {got}, want {want}")
    variables = {"many": {"multi": True, "include_all": True, "values": ["a", "it's"]},
                 "one": {"multi": False, "include_all": False, "values": ["O'Brien"]}}
    for given, want in [("x IN ($many)", "x IN ('a','it''s')"), ("x = '$one'", "x = 'O''Brien'"),
                        ("x = '${one}'", "x = 'O''Brien'"), ("[[one]]", "O''Brien"), ("$__interval", "$__interval")]:
        got = interpolate_variables(given, variables)
        if got != want:
            bad += 1
            print(f"FAIL variables {given!r}: got {got!r}, want {want!r}")
    print(f"self-test: {bad} failures")
    sys.exit(1 if bad else 0)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", help="config/grafana")
    ap.add_argument("--from", dest="t_from")
    ap.add_argument("--to", dest="t_to")
    ap.add_argument("--show-sql", action="store_true")
    ap.add_argument("--self-test", action="store_true", help="check the emulation against Grafana's own test cases")
    args = ap.parse_args()
    if args.self_test:
        self_test()
    if not (args.config and args.t_from and args.t_to):
        ap.error("--config, --from and --to are required")
    t_from = dt.datetime.fromisoformat(args.t_from.replace("Z", "+00:00"))
    t_to = dt.datetime.fromisoformat(args.t_to.replace("Z", "+00:00"))
    dashboards_dir = os.path.join(args.config, "dashboards")
    ds = read_datasource(args.config)
    read_provider(args.config)
    env = conninfo(ds)
    try:
        header, rows = run_sql(env, "SELECT current_user, current_setting('transaction_read_only')")
        print(f"ok   connected as {rows[0][0]} (read-only: {rows[0][1]})")
    except RuntimeError as e:
        raise SystemExit(f"cannot connect as the data source says: {e}")
    files = sorted(glob.glob(os.path.join(dashboards_dir, "*.json")))
    if not files:
        raise SystemExit(f"no dashboards in {dashboards_dir}")
    total = sum(check_dashboard(f, env, ds, t_from, t_to, args.show_sql) for f in files)
    print(f"{total} queries in {len(files)} dashboards, {len(FAILURES)} failures")
    sys.exit(1 if FAILURES or total == 0 else 0)


if __name__ == "__main__":
    main()
