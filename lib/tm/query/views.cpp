#include <tm/core/error.hpp>
#include <tm/core/strings.hpp>
#include <tm/db/statement.hpp>
#include <tm/query/views.hpp>
#include <tm/store/metric_family.hpp>
#include <tm/store/newest_point.hpp>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

namespace query {
namespace {

constexpr std::pair<std::string_view, View> k_views[] = {
    {"latest", View::latest},
    {"history", View::history},
    {"ohlcv", View::ohlcv},
    {"alerts", View::alerts},
    {"pulls", View::pulls},
    {"pull_errors", View::pull_errors},
    {"assets", View::assets},
    {"series", View::series},
};

// A SELECT list and the WHERE clauses of one view, built together with its parameters.
class Builder {
public:
    Builder(const Filter& f, report::Format format)
        : m_filter(f), m_people(format == report::Format::table) {}

    // Whether the rows are for people (a table) rather than for programs.
    bool people() const { return m_people; }

    void column(const std::string& expr,
                const std::string& name,
                report::Type type = report::Type::text,
                const std::string& label = {}) {
        const bool wrap = m_filter.csv_safe && type == report::Type::text;
        m_select.push_back(
            fmt::format("{} AS {}", wrap ? fmt::format("tm_csv_safe({})", expr) : expr, name));
        m_columns.push_back({name, type, label});
    }
    void where(const std::string& clause) { m_where.push_back(clause); }
    db::Statement& st() { return m_st; }

    void source(const std::string& column) {
        if (m_filter.source) {
            where(fmt::format("{} = {}", column, m_st.text(m_filter.source)));
        }
    }
    void assets(const std::string& column) {
        if (!m_filter.assets.empty()) {
            where(fmt::format("{} = ANY ({})", column, m_st.texts(m_filter.assets)));
        }
    }
    void kind(const std::string& column) {
        if (m_filter.kind) {
            where(fmt::format("{} = {}", column, m_st.text(m_filter.kind)));
        }
    }
    void metric() {
        if (m_filter.metric) {
            const std::string m = m_st.text(m_filter.metric);
            where(fmt::format("(s.metric = {0} OR {1} = {0})", m, store::metric_family_sql));
        }
    }
    // Series of any asset the entity names. A condition on series alone, so the planner picks
    // the series first and reads only their points (a condition on the joined entity column
    // read every point of the store).
    void entity() {
        if (m_filter.entity) {
            where(fmt::format("(s.source, s.kind, s.asset) IN (SELECT source, kind, asset FROM "
                              "entities WHERE entity = {})",
                              m_st.text(m_filter.entity)));
        }
    }
    void range(const std::string& column) {
        if (const std::string r = range_sql(column); !r.empty()) {
            where(r);
        }
    }
    // "column >= since AND column < until", or empty without --since and --until.
    std::string range_sql(const std::string& column) {
        std::vector<std::string> parts;
        if (m_filter.since) {
            parts.push_back(fmt::format("{} >= {}", column, m_st.time(*m_filter.since)));
        }
        if (m_filter.until) {
            parts.push_back(fmt::format("{} < {}", column, m_st.time(*m_filter.until)));
        }
        return fmt::format("{}", fmt::join(parts, " AND "));
    }

    // SELECT … FROM `from` WHERE … [GROUP BY `group`] ORDER BY [--sort column,] `order`.
    Select build(const std::string& from, const std::string& order, const std::string& group = {}) {
        std::string sql = fmt::format("SELECT {} FROM {}", fmt::join(m_select, ", "), from);
        if (!m_where.empty()) {
            sql += fmt::format(" WHERE {}", fmt::join(m_where, " AND "));
        }
        if (!group.empty()) {
            sql += fmt::format(" GROUP BY {}", group);
        }
        sql += fmt::format(" ORDER BY {}{}", sort_key(), order);
        if (m_filter.limit) {
            sql += fmt::format(" LIMIT {}", m_st.param(std::to_string(*m_filter.limit), "bigint"));
        }
        if (m_filter.offset) {
            sql +=
                fmt::format(" OFFSET {}", m_st.param(std::to_string(*m_filter.offset), "bigint"));
        }
        return {sql, m_st.params(), m_columns};
    }

private:
    // The --sort column as the first ORDER BY key: an output column's name, so it sorts by the
    // value (numbers as numbers) whatever the expression behind it.
    std::string sort_key() const {
        if (!m_filter.sort) {
            return {};
        }
        std::vector<std::string> names;
        for (const auto& c : m_columns) {
            if (c.name == *m_filter.sort || c.header() == *m_filter.sort) {
                return fmt::format(
                    "\"{}\" {} NULLS LAST, ", c.name, m_filter.desc ? "DESC" : "ASC");
            }
            names.push_back(m_people ? c.header() : c.name);
        }
        throw core::UsageError(fmt::format("--sort {}: no such column here; choose one of {}",
                                           *m_filter.sort,
                                           fmt::join(names, ", ")));
    }

    const Filter& m_filter;
    bool m_people;
    db::Statement m_st;
    std::vector<std::string> m_select;
    std::vector<report::Column> m_columns;
    std::vector<std::string> m_where;
};

// The entity of series s, for the views that show it.
constexpr std::string_view k_entity_join =
    "LEFT JOIN LATERAL (SELECT entity FROM entities e WHERE e.source = s.source AND e.kind = "
    "s.kind AND e.asset = s.asset ORDER BY entity LIMIT 1) e ON true";

// The name of series s's asset (its symbol when it has no name), for tables: pool UUIDs and
// numeric stablecoin and bridge ids say nothing to people.
constexpr std::string_view k_name_join =
    "LEFT JOIN LATERAL (SELECT coalesce(nullif(a.name, ''), a.symbol) AS name FROM assets a "
    "WHERE a.source = s.source AND a.kind = s.kind AND a.asset = s.asset) n ON true";

// The joins the series columns need.
std::string series_joins(const Builder& b) {
    return b.people() ? fmt::format("{} {}", k_entity_join, k_name_join)
                      : std::string(k_entity_join);
}

void series_filters(Builder& b) {
    b.source("s.source");
    b.assets("s.asset");
    b.kind("s.kind");
    b.metric();
    b.entity();
}

// source, [name,] asset and metric of series s.
void series_key_columns(Builder& b) {
    b.column("s.source", "source");
    if (b.people()) {
        b.column("n.name", "name");
    }
    b.column("s.asset", "asset");
    b.column("s.metric", "metric");
}

void series_columns(Builder& b) {
    b.column("e.entity", "entity");
    series_key_columns(b);
}

Select latest(const Filter& f, core::Time now, report::Format format) {
    Builder b(f, format);
    series_columns(b);
    b.column("tm_iso(p.ts)", "ts", report::Type::time);
    b.column("p.value", "value", report::Type::number);
    b.column(fmt::format("round(extract(epoch FROM {} - p.ts))::bigint", b.st().time(now)),
             "age_s",
             report::Type::age,
             "age");
    series_filters(b);
    b.range("p.ts");
    const std::string since = b.st().time(store::recent_months_start(now));
    return b.build(fmt::format("series s CROSS JOIN LATERAL ({}) p {}",
                               store::newest_point_sql("ts, value", "s.series_id", since, ""),
                               series_joins(b)),
                   "s.source, s.asset, s.metric");
}

// The last point of each bucket of each series, one index probe per bucket (Filter::sampled),
// at its own time. Buckets are date_bin's from a Monday at 00:00 UTC, so hour, day and week
// buckets are the same as date_trunc's in UTC.
Select sampled_history(const Filter& f, report::Format format) {
    Builder b(f, format);
    series_columns(b);
    const std::string& i = *f.interval;
    const std::string step = b.st().param(i == "week"                 ? "7 days"
                                          : i == "hour" || i == "day" ? "1 " + i
                                                                      : i,
                                          "interval");
    const std::string since = f.since ? b.st().time(*f.since) : "NULL::timestamptz";
    const std::string until = f.until ? b.st().time(*f.until) : "NULL::timestamptz";
    // Over monthly partitions the newest point of a series is a probe into every month. OFFSET 0
    // keeps r a subquery of its own, so its bounds are read once per series, not once per bucket
    // where r.hi is used (the dashboard's /defi: 3.3 s -> 0.17 s for that query on 20M points).
    // And the range as constants in each probe (redundant with the bucket's bounds and the range
    // below), so that the planner probes only the months in it.
    const std::string bounds = fmt::format("{}{}",
                                           f.since ? " AND ts >= " + since : std::string(),
                                           f.until ? " AND ts < " + until : std::string());
    b.column("tm_iso(p.ts)", "ts", report::Type::time);
    b.column("p.value", "value", report::Type::number);
    b.column("NULL::bigint", "points", report::Type::count);
    series_filters(b);
    b.range("p.ts");
    return b.build(
        fmt::format(
            "series s CROSS JOIN LATERAL (SELECT date_bin({0}, coalesce({1}, (SELECT ts FROM "
            "points WHERE series_id = s.series_id ORDER BY ts LIMIT 1)), '2000-01-03T00:00Z') AS "
            "lo, coalesce({2}, (SELECT ts FROM points WHERE series_id = s.series_id ORDER BY ts "
            "DESC LIMIT 1) + interval '1 microsecond') AS hi OFFSET 0) r CROSS JOIN LATERAL "
            "generate_series(r.lo, r.hi - interval '1 microsecond', {0}) k(bucket) CROSS JOIN "
            "LATERAL (SELECT ts, value FROM points WHERE series_id = s.series_id AND ts >= "
            "k.bucket AND ts < least(k.bucket + {0}, r.hi){4} ORDER BY ts DESC LIMIT 1) p {3}",
            step,
            since,
            until,
            series_joins(b),
            bounds),
        "s.source, s.asset, s.metric, k.bucket");
}

// Raw history: the points at and after each series' retention horizon (before it, where tm
// compact has not freed them yet, they are already in the rollups, which --interval reads).
// With --interval, one row per series and bucket: from the points after the horizon, and from
// the rollups (hourly for hour, daily for day and week) before it, flagged `rollup`.
Select history(const Filter& f, report::Format format) {
    Builder b(f, format);
    series_columns(b);
    if (f.interval && f.sampled) {
        return sampled_history(f, format);
    }
    if (!f.interval) {
        // With a time range, one index range scan per series (the ORDER BY keeps the planner
        // from flattening the subquery): the cost follows the rows in the range. Joined plainly,
        // the planner's estimates pick a scan of the whole table once there are a few hundred
        // series: 3.4 s instead of 0.4 s for the nightly export of a day out of 20M points.
        const std::string range = b.range_sql("ts");
        const std::string points =
            range.empty() ? std::string("points p JOIN series s USING (series_id)")
                          : fmt::format("series s CROSS JOIN LATERAL (SELECT ts, value FROM points "
                                        "WHERE series_id = s.series_id AND {} ORDER BY ts) p",
                                        range);
        b.column("tm_iso(p.ts)", "ts", report::Type::time);
        b.column("p.value", "value", report::Type::number);
        series_filters(b);
        b.where("(s.raw_since IS NULL OR p.ts >= s.raw_since)");
        return b.build(fmt::format("{} {}", points, series_joins(b)),
                       "s.source, s.asset, s.metric, p.ts");
    }
    // Pieces: a raw point is a piece of one, a rollup a piece of `count` points.
    const std::string range = b.range_sql("ts");
    const std::string and_range = range.empty() ? std::string() : " AND " + range;
    const std::string width = b.st().text(std::string(*f.interval == "hour" ? "hour" : "day"));
    const std::string pieces = fmt::format(
        "series s CROSS JOIN LATERAL (SELECT ts, value AS first, value AS last, value AS min, "
        "value AS max, value::numeric AS sum, 1::bigint AS count, false AS rollup FROM points "
        "WHERE series_id = s.series_id AND ts >= coalesce(s.raw_since, '-infinity'){0} UNION ALL "
        "SELECT ts, first, last, min, max, sum, count, true FROM rollups WHERE series_id = "
        "s.series_id AND width = {1} AND ts < s.raw_since{0}) p",
        and_range,
        width);
    const std::string bucket = fmt::format("date_trunc({}, p.ts, 'UTC')", b.st().text(f.interval));
    const std::string value = f.agg == "last"    ? "(array_agg(p.last ORDER BY p.ts DESC))[1]"
                              : f.agg == "first" ? "(array_agg(p.first ORDER BY p.ts))[1]"
                              : f.agg == "min"   ? "min(p.min)"
                              : f.agg == "max"   ? "max(p.max)"
                              : f.agg == "sum"   ? "sum(p.sum)::double precision"
                                                 : "(sum(p.sum) / sum(p.count))::double precision";
    b.column(fmt::format("tm_iso({})", bucket), "ts", report::Type::time);
    b.column(value, "value", report::Type::number);
    b.column("sum(p.count)::bigint", "points", report::Type::count);
    b.column("p.rollup", "rollup", report::Type::flag);
    series_filters(b);
    return b.build(fmt::format("{} {}", pieces, series_joins(b)),
                   fmt::format("s.source, s.asset, s.metric, {}, p.rollup DESC", bucket),
                   fmt::format("e.entity, s.source, s.asset, s.metric, {}, p.rollup{}",
                               bucket,
                               b.people() ? ", n.name" : ""));
}

Select ohlcv(const Filter& f, report::Format format) {
    Builder b(f, format);
    b.column("source", "source");
    b.column("asset", "asset");
    b.column("tm_iso(day)", "day", report::Type::time);
    for (const char* c : {"open", "high", "low", "close", "volume"}) {
        b.column(c, c, report::Type::number);
    }
    b.column("samples", "samples", report::Type::count);
    b.source("source");
    b.assets("asset");
    b.range("day");
    return b.build("daily_ohlcv", "source, asset, day");
}

Select alerts(const Filter& f, report::Format format) {
    Builder b(f, format);
    b.column("a.alert_id", "alert_id", report::Type::id);
    b.column("a.rule", "rule");
    b.column("a.severity", "severity");
    b.column("a.status", "status");
    series_key_columns(b);
    b.column("a.subject", "subject");
    b.column("tm_iso(a.opened_at)", "opened_at", report::Type::time);
    b.column("tm_iso(a.last_seen_at)", "last_seen_at", report::Type::time);
    b.column("tm_iso(a.resolved_at)", "resolved_at", report::Type::time);
    b.column("a.value", "value", report::Type::number);
    b.column("a.baseline", "baseline", report::Type::number);
    b.column("a.message", "message");
    b.column("a.notified_at IS NOT NULL", "notified", report::Type::flag);
    if (f.status != "all") {
        b.where(fmt::format("a.status = {}", b.st().text(f.status)));
    }
    b.source("coalesce(s.source, a.subject)");
    b.assets("s.asset");
    b.kind("s.kind");
    b.metric();
    b.range("a.opened_at");
    return b.build(fmt::format("alerts a LEFT JOIN series s ON s.series_id = a.series_id {}",
                               b.people() ? k_name_join : ""),
                   "a.opened_at DESC, a.alert_id DESC");
}

Select pulls(const Filter& f, report::Format format) {
    Builder b(f, format);
    b.column("pull_id", "pull_id", report::Type::id);
    b.column("source", "source");
    b.column("kind", "kind");
    b.column("status", "status");
    b.column("tm_iso(started_at)", "started_at", report::Type::time);
    b.column("tm_iso(finished_at)", "finished_at", report::Type::time);
    for (const char* c :
         {"requests", "failed_requests", "points_seen", "points_inserted", "points_updated"}) {
        b.column(c, c, report::Type::count);
    }
    b.column("error", "error");
    b.source("source");
    b.range("started_at");
    // Newest first: pull ids are taken as runs start, so their order is the start order, and
    // the primary key reads the newest page without sorting the whole journal.
    return b.build("pulls", "pull_id DESC");
}

// The failures and notices of each run, newest run first (a run's first error is in pulls).
Select pull_errors(const Filter& f, report::Format format) {
    Builder b(f, format);
    b.column("e.pull_id", "pull_id", report::Type::id);
    b.column("p.source", "source");
    b.column("p.kind", "kind");
    b.column("tm_iso(p.started_at)", "started_at", report::Type::time);
    b.column("e.asset", "asset");
    b.column("e.request", "request");
    b.column("e.error", "error");
    b.source("p.source");
    b.assets("e.asset");
    b.range("p.started_at");
    return b.build("pull_errors e JOIN pulls p USING (pull_id)",
                   "e.pull_id DESC, e.asset NULLS FIRST, e.error");
}

Select assets(const Filter& f, report::Format format) {
    Builder b(f, format);
    // People look for a name; programs keep the table's own column order.
    const auto order =
        b.people() ? std::vector<const char*>{"source", "kind", "name", "symbol", "asset", "chain"}
                   : std::vector<const char*>{"source", "kind", "asset", "name", "symbol", "chain"};
    for (const char* c : order) {
        b.column(fmt::format("a.{}", c), c);
    }
    b.column("tm_iso(a.updated_at)", "updated_at", report::Type::time);
    b.source("a.source");
    b.assets("a.asset");
    b.kind("a.kind");
    return b.build("assets a", "a.source, a.kind, a.asset");
}

Select series(const Filter& f, report::Format format) {
    Builder b(f, format);
    b.column("s.series_id", "series_id", report::Type::id);
    series_columns(b);
    b.column("s.kind", "kind");
    b.column("s.unit", "unit");
    b.column("tm_iso(first.ts)", "first_ts", report::Type::time);
    b.column("tm_iso(last.ts)", "last_ts", report::Type::time);
    series_filters(b);
    return b.build(
        fmt::format("series s LEFT JOIN LATERAL (SELECT ts FROM points WHERE series_id = "
                    "s.series_id ORDER BY ts LIMIT 1) first ON true LEFT JOIN LATERAL (SELECT ts "
                    "FROM points WHERE series_id = s.series_id ORDER BY ts DESC LIMIT 1) last ON "
                    "true {}",
                    series_joins(b)),
        "s.source, s.asset, s.metric");
}

} // namespace

std::optional<View> view_named(std::string_view name) {
    for (const auto& [n, v] : k_views) {
        if (n == name) {
            return v;
        }
    }
    return std::nullopt;
}

std::string_view view_name(View view) {
    for (const auto& [n, v] : k_views) {
        if (v == view) {
            return n;
        }
    }
    return "?";
}

std::vector<std::string> view_names() {
    std::vector<std::string> out;
    for (const auto& [n, v] : k_views) {
        out.emplace_back(n);
    }
    return out;
}

Select select(View view, const Filter& f, core::Time now, report::Format format) {
    switch (view) {
    case View::latest:
        return latest(f, now, format);
    case View::history:
        return history(f, format);
    case View::ohlcv:
        return ohlcv(f, format);
    case View::alerts:
        return alerts(f, format);
    case View::pulls:
        return pulls(f, format);
    case View::pull_errors:
        return pull_errors(f, format);
    case View::assets:
        return assets(f, format);
    case View::series:
        return series(f, format);
    }
    return latest(f, now, format);
}

void check_filter(db::Connection& conn, const Filter& f) {
    if (f.entity
        && conn.exec("SELECT 1 FROM entities WHERE entity = $1 LIMIT 1", {*f.entity}).rows() == 0) {
        // Only on the error path: the entity list is config-sized (hundreds), not history.
        const auto r = conn.exec("SELECT DISTINCT entity FROM entities ORDER BY 1");
        std::vector<std::string> known;
        for (int i = 0; i < r.rows(); ++i) {
            known.emplace_back(r.get(i, 0));
        }
        const auto close = core::strings::closest_names(*f.entity, known);
        throw core::UsageError(fmt::format(
            "unknown entity '{}'{}; see config/entities.csv or tm query series",
            *f.entity,
            close.empty() ? "" : fmt::format(" (closest: {})", fmt::join(close, ", "))));
    }
    if (!f.metric) {
        return;
    }
    const auto known = conn.exec(
        fmt::format("SELECT DISTINCT s.metric FROM series s WHERE ($1::text IS NULL OR s.source = "
                    "$1) AND (s.metric = $2 OR {} = $2 OR $2 IS NULL) ORDER BY 1",
                    store::metric_family_sql),
        {f.source, *f.metric});
    if (known.rows() > 0) {
        return;
    }
    const auto all = conn.exec(
        "SELECT DISTINCT metric FROM series WHERE ($1::text IS NULL OR source = $1) ORDER BY 1",
        {f.source});
    std::vector<std::string> names;
    for (int i = 0; i < all.rows(); ++i) {
        names.emplace_back(all.get(i, 0));
    }
    const std::string where = f.source ? fmt::format(" of {}", *f.source) : "";
    throw core::UsageError(
        names.empty()
            ? fmt::format("unknown metric '{}': nothing{} is stored yet", *f.metric, where)
        : names.size() <= 30
            ? fmt::format(
                "unknown metric '{}' (stored{}: {})", *f.metric, where, fmt::join(names, ", "))
            : fmt::format("unknown metric '{}' ({} metrics stored{}; tm query series lists them)",
                          *f.metric,
                          names.size(),
                          where));
}

std::vector<std::string> stored_entities(db::Connection& conn) {
    const auto r = conn.exec("SELECT DISTINCT e.entity FROM entities e WHERE EXISTS (SELECT 1 FROM "
                             "series s WHERE s.source = e.source AND s.kind = e.kind AND s.asset = "
                             "e.asset) ORDER BY 1");
    std::vector<std::string> out;
    for (int i = 0; i < r.rows(); ++i) {
        out.emplace_back(r.get(i, 0));
    }
    return out;
}

long long
run(db::Connection& conn, View view, const Filter& f, report::Format format, std::FILE* out) {
    const Select s = select(view, f, core::Clock::now(), format);
    return report::write_rows(conn, s.sql, s.params, s.columns, format, out);
}

} // namespace query
