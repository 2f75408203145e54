#include <tm/db/statement.hpp>
#include <tm/rules/evaluate.hpp>
#include <tm/store/metric_family.hpp>
#include <tm/store/newest_point.hpp>

#include <fmt/format.h>

#include <algorithm>

namespace rules {
namespace {

enum class Mode { now, history };

using db::Statement;

// A glob (* and ?) as a LIKE pattern.
std::string like_pattern(const std::string& glob) {
    std::string out;
    for (const char c : glob) {
        if (c == '*') {
            out += '%';
        } else if (c == '?') {
            out += '_';
        } else {
            if (c == '%' || c == '_' || c == '\\') {
                out += '\\';
            }
            out += c;
        }
    }
    return out;
}

std::string
like_any(Statement& st, std::string_view column, const std::vector<std::string>& globs) {
    if (globs.empty()) {
        return "";
    }
    std::vector<std::string> patterns;
    std::transform(globs.begin(), globs.end(), std::back_inserter(patterns), like_pattern);
    return fmt::format(" AND {} LIKE ANY ({})", column, st.texts(patterns));
}

// The series a rule selects: series_id, source, asset, metric (+ entity, family for
// divergence, which compares an entity's metric family across sources).
std::string selected_series(const Rule& rule, Statement& st) {
    const bool by_family = rule.kind == Kind::divergence;
    std::string sql =
        by_family
            ? fmt::format("SELECT DISTINCT s.series_id, s.source, s.asset, s.metric, e.entity, "
                          "{} AS family FROM series s JOIN entities e ON e.source = s.source "
                          "AND e.kind = s.kind AND e.asset = s.asset WHERE true",
                          store::metric_family_sql)
            : std::string("SELECT s.series_id, s.source, s.asset, s.metric FROM series s "
                          "WHERE true");
    sql += like_any(st, "s.source", rule.select.sources);
    sql += like_any(
        st, by_family ? std::string(store::metric_family_sql) : "s.metric", rule.select.metrics);
    sql += like_any(st, "s.asset", rule.select.assets);
    if (!rule.select.asset_kinds.empty()) {
        sql += fmt::format(" AND s.kind = ANY ({})", st.texts(rule.select.asset_kinds));
    }
    return sql;
}

// The points judged: each series' newest point as of now (if young enough), or all of them in
// the backtest range.
std::string judged_points(const Rule& rule, Mode mode, Statement& st, core::Time a, core::Time b) {
    if (mode == Mode::now) {
        const std::string now = st.time(a);
        const std::string since = st.time(store::recent_months_start(a));
        return fmt::format("SELECT sel.*, p.ts, p.value FROM sel CROSS JOIN LATERAL ({}) p "
                           "WHERE p.ts > {} - {}",
                           store::newest_point_sql("ts, value", "sel.series_id", since, now),
                           now,
                           st.interval(rule.max_age));
    }
    return fmt::format("SELECT sel.*, p.ts, p.value FROM sel JOIN points p ON p.series_id = "
                       "sel.series_id WHERE p.ts >= {} AND p.ts < {}",
                       st.time(a),
                       st.time(b));
}

// `x` compared with every given bound; `any` joins them with OR (fires when one is crossed),
// otherwise AND (a gate holds when all hold).
std::string bounds_sql(Statement& st, const std::string& x, const Bounds& b, bool any) {
    std::vector<std::string> parts;
    if (b.above) {
        parts.push_back(fmt::format("{} > {}", x, st.number(*b.above)));
    }
    if (b.at_least) {
        parts.push_back(fmt::format("{} >= {}", x, st.number(*b.at_least)));
    }
    if (b.below) {
        parts.push_back(fmt::format("{} < {}", x, st.number(*b.below)));
    }
    if (b.at_most) {
        parts.push_back(fmt::format("{} <= {}", x, st.number(*b.at_most)));
    }
    return fmt::format("({})", fmt::join(parts, any ? " OR " : " AND "));
}

std::string describe_bounds(const Bounds& b) {
    std::vector<std::string> parts;
    if (b.above) {
        parts.push_back(fmt::format("> {}", *b.above));
    }
    if (b.at_least) {
        parts.push_back(fmt::format(">= {}", *b.at_least));
    }
    if (b.below) {
        parts.push_back(fmt::format("< {}", *b.below));
    }
    if (b.at_most) {
        parts.push_back(fmt::format("<= {}", *b.at_most));
    }
    return fmt::format("{}", fmt::join(parts, " or "));
}

// The newest point of series `id_sql` at or before `at`, for LATERAL joins.
std::string
value_as_of(const std::string& id_sql, const std::string& at, const std::string& extra = "") {
    return fmt::format("SELECT q.ts, q.value FROM points q WHERE q.series_id = {} AND q.ts <= {}{} "
                       "ORDER BY q.ts DESC LIMIT 1",
                       id_sql,
                       at,
                       extra);
}

// Each kind reads `ev` (the judged points) and yields
// (series_id, subject, ts, value, baseline, firing, message).
std::string change_sql(const Rule& rule, Statement& st) {
    const std::string w = st.interval(rule.window);
    const std::string f = st.number(rule.fraction);
    const std::string rel = "(ev.value - b.value) / b.value";
    const std::string firing =
        rule.direction == Rule::Direction::down ? fmt::format("{} <= -{}", rel, f)
        : rule.direction == Rule::Direction::up ? fmt::format("{} >= {}", rel, f)
                                                : fmt::format("abs({}) >= {}", rel, f);
    return fmt::format(
        "SELECT ev.series_id, NULL::text, ev.ts, ev.value, b.value, {firing}, "
        "format('%s %s %s%% vs %s earlier', ev.metric, CASE WHEN ev.value < b.value THEN 'down' "
        "ELSE 'up' END, to_char(abs({rel}) * 100, 'FM999999999990.0'), {label}) "
        "FROM ev CROSS JOIN LATERAL ({baseline}) b WHERE b.value > 0",
        fmt::arg("firing", firing),
        fmt::arg("rel", rel),
        fmt::arg("label", st.text(core::format_duration(rule.window))),
        fmt::arg("baseline",
                 value_as_of("ev.series_id",
                             fmt::format("ev.ts - {}", w),
                             fmt::format(" AND q.ts > ev.ts - 2 * {}", w))));
}

std::string threshold_sql(const Rule& rule, Statement& st) {
    const std::string x = rule.absolute ? "abs(ev.value)" : "ev.value";
    std::string firing = bounds_sql(st, x, rule.bounds, true);
    std::string description =
        fmt::format("{} {}", rule.absolute ? "abs" : "value", describe_bounds(rule.bounds));
    std::string gate_join;
    if (rule.when_metric) {
        firing = fmt::format("({} AND {})", firing, bounds_sql(st, "gv.value", rule.when, false));
        description += fmt::format(", when {} {}", *rule.when_metric, describe_bounds(rule.when));
        gate_join = fmt::format(
            " JOIN series g ON g.source = ev.source AND g.asset = ev.asset AND g.metric = {} "
            "CROSS JOIN LATERAL ({}) gv",
            st.text(*rule.when_metric),
            value_as_of("g.series_id",
                        "ev.ts",
                        fmt::format(" AND q.ts > ev.ts - {}", st.interval(rule.max_age))));
    }
    // No baseline: the bound is in the message, and a "change" against it would mislead.
    return fmt::format("SELECT ev.series_id, NULL::text, ev.ts, ev.value, NULL::float8, {}, "
                       "format('%s = %s (fires at %s)', ev.metric, ev.value, {}) FROM ev{}",
                       firing,
                       st.text(description),
                       gate_join);
}

// The points a window can reach: from the oldest judged point's window start to the newest
// judged point, as times (ev.ts is at most max_age old in a live run, in [a, b) in a backtest).
struct Span {
    core::Time lo, hi;
};

Span window_span(const Rule& rule, Mode mode, core::Time a, core::Time b) {
    return mode == Mode::now ? Span{a - rule.max_age - rule.window, a} : Span{a - rule.window, b};
}

// The newest max_points values of ev's series in the window before ev (newest first): a walk down
// the points index that stops after max_points, whatever the series' density. The constant
// bounds (`span`) are redundant for the result; they let the planner leave out the months of
// points outside them, points_default included, and so walk the months newest first and stop
// (an ordered Append). They must be constants: an expression such as now - interval is only
// stable and would not prune at planning. Without them it reads the whole window of every series
// and sorts it (outlier over 20M points: 2.9 s instead of 0.35 s).
std::string window_values(const Rule& rule, Statement& st, const Span& span) {
    return fmt::format("SELECT q.value FROM points q WHERE q.series_id = ev.series_id AND q.ts >= "
                       "ev.ts - {} AND q.ts < ev.ts AND q.ts >= {} AND q.ts <= {} "
                       "ORDER BY q.ts DESC LIMIT {}",
                       st.interval(rule.window),
                       st.time(span.lo),
                       st.time(span.hi),
                       st.param(std::to_string(rule.max_points), "integer"));
}

std::string deviation_sql(const Rule& rule, Statement& st, const Span& span) {
    return fmt::format(
        "SELECT ev.series_id, NULL::text, ev.ts, ev.value, m.mean, "
        "abs(ev.value - m.mean) / abs(m.mean) > {f}, "
        "format('%s %s%% off the mean of the previous %s (%s)', ev.metric, "
        "to_char((ev.value - m.mean) / abs(m.mean) * 100, 'FMS999999999990.00'), {label}, m.mean) "
        "FROM ev CROSS JOIN LATERAL (SELECT avg(w.value) AS mean, count(*) AS n FROM ({values}) w) "
        "m WHERE m.n >= {min} AND m.mean <> 0",
        fmt::arg("f", st.number(rule.fraction)),
        fmt::arg("label", st.text(core::format_duration(rule.window))),
        fmt::arg("values", window_values(rule, st, span)),
        fmt::arg("min", st.number(rule.min_points)));
}

// Median and MAD of one read of the window: the values go to an array once, the MAD is taken from
// it.
std::string outlier_sql(const Rule& rule, Statement& st, const Span& span) {
    return fmt::format(
        "SELECT ev.series_id, NULL::text, ev.ts, ev.value, m.median, "
        "abs(ev.value - m.median) / (1.4826 * d.mad) >= {z}, "
        "format('%s = %s is %s robust z from the %s median %s', ev.metric, ev.value, "
        "to_char(abs(ev.value - m.median) / (1.4826 * d.mad), 'FM999999999990.0'), {label}, "
        "m.median) "
        "FROM ev CROSS JOIN LATERAL (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY w.value) "
        "AS median, count(*) AS n, array_agg(w.value) AS vals FROM ({values}) w) m "
        "CROSS JOIN LATERAL (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY abs(v - "
        "m.median)) AS mad FROM unnest(m.vals) v) d "
        "WHERE m.n >= {min} AND d.mad > 0",
        fmt::arg("z", st.number(rule.z)),
        fmt::arg("label", st.text(core::format_duration(rule.window))),
        fmt::arg("values", window_values(rule, st, span)),
        fmt::arg("min", st.number(rule.min_points)));
}

// The other source's value: its newest as of now (live) or as of the judged point (backtest),
// at most max_skew away from it.
std::string divergence_sql(const Rule& rule, Mode mode, Statement& st, core::Time now) {
    const std::string skew = st.interval(rule.window);
    const std::string upper = mode == Mode::now ? st.time(now) : "ev.ts";
    return fmt::format(
        "SELECT ev.series_id, o.source || '/' || o.asset || '/' || o.metric, greatest(ev.ts, "
        "ov.ts), "
        "ev.value, ov.value, abs(ev.value - ov.value) / least(abs(ev.value), abs(ov.value)) > {f}, "
        "format('%s %s: %s says %s, %s says %s (%s%% apart)', ev.entity, ev.family, ev.source, "
        "ev.value, o.source, ov.value, to_char(abs(ev.value - ov.value) / least(abs(ev.value), "
        "abs(ov.value)) * 100, 'FM999999999990.0')) "
        "FROM ev JOIN sel o ON o.entity = ev.entity AND o.family = ev.family AND o.source > "
        "ev.source "
        "CROSS JOIN LATERAL ({partner}) ov WHERE least(abs(ev.value), abs(ov.value)) > 0",
        fmt::arg("f", st.number(rule.fraction)),
        fmt::arg(
            "partner",
            value_as_of("o.series_id",
                        upper,
                        fmt::format(" AND q.ts >= ev.ts - {0} AND q.ts <= ev.ts + {0}", skew))));
}

// Sources with their schedules, as a VALUES list of (source, every).
std::string schedule_sql(const Rule& rule, Statement& st) {
    std::vector<std::string> rows;
    for (const auto& [source, every] : rule.schedule) {
        rows.push_back(fmt::format("({}, {}, {})",
                                   st.text(source),
                                   st.interval(every),
                                   st.text(core::format_duration(every))));
    }
    return fmt::format("SELECT * FROM (VALUES {}) AS v(source, every, label)",
                       fmt::join(rows, ", "));
}

std::string staleness_now_sql(const Rule& rule, Statement& st, core::Time now_time) {
    const std::string now = st.time(now_time);
    const std::string factor = st.number(rule.factor);
    const std::string pulls = st.number(rule.failed_pulls);
    return fmt::format(
        "WITH sched AS ({sched}), "
        "newest AS (SELECT s.source, max(p.ts) AS ts FROM series s CROSS JOIN LATERAL (SELECT ts "
        "FROM points WHERE series_id = s.series_id AND ts <= {now} ORDER BY ts DESC LIMIT 1) p "
        "WHERE s.source IN (SELECT source FROM sched) GROUP BY s.source), "
        // The last pulls of each source, walking down the journal's (source, started_at) index:
        // the journal grows by a row a minute per minute feed, and this reads a few.
        "fails AS (SELECT sched.source, f.n, f.failed FROM sched CROSS JOIN LATERAL (SELECT "
        "count(*) AS n, count(*) FILTER (WHERE status = 'failed') AS failed FROM (SELECT status "
        "FROM pulls WHERE source = sched.source AND kind = 'pull' AND status <> 'running' ORDER "
        "BY started_at DESC LIMIT {pulls}::integer) last) f WHERE f.n > 0), "
        "judged AS (SELECT sched.source, sched.every, sched.label, newest.ts, "
        "newest.ts < {now} - {factor} * sched.every AS old, "
        "coalesce(fails.n = {pulls} AND fails.failed = {pulls}, false) AS failing "
        "FROM sched LEFT JOIN newest USING (source) LEFT JOIN fails USING (source) "
        "WHERE newest.ts IS NOT NULL OR fails.n IS NOT NULL) "
        "SELECT NULL::integer, source, {now}, extract(epoch FROM {now} - ts) / 3600.0, "
        "extract(epoch FROM {factor} * every) / 3600.0, coalesce(old, false) OR failing, "
        "concat_ws('; ', CASE WHEN old THEN format('newest point %s h old, expected every %s', "
        "to_char(extract(epoch FROM {now} - ts) / 3600.0, 'FM999999990.0'), label) END, "
        "CASE WHEN failing THEN format('the last %s pulls failed', {pulls}) END) FROM judged",
        fmt::arg("sched", schedule_sql(rule, st)),
        fmt::arg("now", now),
        fmt::arg("factor", factor),
        fmt::arg("pulls", pulls));
}

// Backtest of staleness: between two consecutive points of a source more than factor x its
// schedule apart, the rule would have fired at the first + limit and resolved at the second.
std::string
staleness_history_sql(const Rule& rule, Statement& st, core::Time since, core::Time until) {
    const std::string a = st.time(since);
    const std::string b = st.time(until);
    return fmt::format(
        "WITH sched AS ({sched}), "
        "lim AS (SELECT source, label, {factor} * every AS lim FROM sched), "
        "t AS (SELECT DISTINCT s.source, p.ts FROM series s JOIN points p USING (series_id) "
        "JOIN lim USING (source) WHERE p.ts >= {a} - lim.lim AND p.ts < {b}), "
        "g AS (SELECT t.source, t.ts, lead(t.ts) OVER (PARTITION BY t.source ORDER BY t.ts) AS "
        "next, "
        "lim.lim, lim.label FROM t JOIN lim USING (source)), "
        "gaps AS (SELECT * FROM g WHERE coalesce(next, {b}) > ts + lim) "
        "SELECT NULL::integer, source, ts + lim, extract(epoch FROM lim) / 3600.0, "
        "extract(epoch FROM lim) / 3600.0, true, format('no new point for %s x %s after %s', "
        "{factor}, label, to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')) "
        "FROM gaps WHERE ts + lim >= {a} AND ts + lim < {b} "
        "UNION ALL SELECT NULL::integer, source, next, extract(epoch FROM next - ts) / 3600.0, "
        "extract(epoch FROM lim) / 3600.0, false, 'points again' FROM gaps WHERE next IS NOT NULL "
        "AND next >= {a}",
        fmt::arg("sched", schedule_sql(rule, st)),
        fmt::arg("factor", st.number(rule.factor)),
        fmt::arg("a", a),
        fmt::arg("b", b));
}

std::string judgements_sql(const Rule& rule, Mode mode, Statement& st, core::Time a, core::Time b) {
    if (rule.kind == Kind::staleness) {
        return mode == Mode::now ? staleness_now_sql(rule, st, a)
                                 : staleness_history_sql(rule, st, a, b);
    }
    std::string body;
    const std::string sel = selected_series(rule, st);
    const std::string ev = judged_points(rule, mode, st, a, b);
    switch (rule.kind) {
    case Kind::change:
        body = change_sql(rule, st);
        break;
    case Kind::threshold:
        body = threshold_sql(rule, st);
        break;
    case Kind::deviation:
        body = deviation_sql(rule, st, window_span(rule, mode, a, b));
        break;
    case Kind::outlier:
        body = outlier_sql(rule, st, window_span(rule, mode, a, b));
        break;
    case Kind::divergence:
        body = divergence_sql(rule, mode, st, a);
        break;
    case Kind::staleness:
        break;
    }
    return fmt::format("WITH sel AS ({}), ev AS ({}) {}", sel, ev, body);
}

Judged
judge(db::Connection& conn, const std::vector<Rule>& rules, Mode mode, core::Time a, core::Time b) {
    conn.exec("CREATE TEMP TABLE detect_eval (rule text NOT NULL, severity text NOT NULL, "
              "series_id integer, subject text, ts timestamptz NOT NULL, value float8, "
              "baseline float8, firing boolean NOT NULL, message text) ON COMMIT DROP");
    for (const auto& rule : rules) {
        Statement st;
        const std::string name = st.text(rule.name);
        const std::string severity = st.text(rule.severity);
        const std::string body = judgements_sql(rule, mode, st, a, b);
        // One judgement per key (per key and time in a backtest), whatever joins repeat.
        const std::string distinct =
            mode == Mode::now ? "series_id, subject" : "series_id, subject, ts";
        conn.exec(
            fmt::format("INSERT INTO detect_eval (rule, severity, series_id, subject, ts, value, "
                        "baseline, firing, message) SELECT DISTINCT ON ({0}) {1}, {2}, k.* "
                        "FROM ({3}) AS k(series_id, subject, ts, value, baseline, firing, message) "
                        "ORDER BY {0}, ts DESC",
                        distinct,
                        name,
                        severity,
                        body),
            st.params());
    }
    const auto r = conn.exec("SELECT count(*), count(*) FILTER (WHERE firing) FROM detect_eval");
    return {r.get_int(0, 0), r.get_int(0, 1)};
}

} // namespace

Judged judge_now(db::Connection& conn, const std::vector<Rule>& rules, core::Time now) {
    return judge(conn, rules, Mode::now, now, now);
}

Judged judge_history(db::Connection& conn,
                     const std::vector<Rule>& rules,
                     core::Time since,
                     core::Time until) {
    return judge(conn, rules, Mode::history, since, until);
}

} // namespace rules
