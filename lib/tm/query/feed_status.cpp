#include <tm/query/feed_status.hpp>
#include <tm/store/newest_point.hpp>

#include <fmt/format.h>

#include <algorithm>

namespace query {

std::string_view health_name(Health h) {
    switch (h) {
    case Health::ok:
        return "OK";
    case Health::warning:
        return "WARNING";
    case Health::critical:
        return "CRITICAL";
    case Health::unknown:
        return "UNKNOWN";
    }
    return "UNKNOWN";
}

FeedLimits feed_limits(const std::vector<rules::Rule>& rules) {
    FeedLimits out;
    for (const auto& rule : rules) {
        if (rule.kind != rules::Kind::staleness) {
            continue;
        }
        for (const auto& [source, every] : rule.schedule) {
            out.max_age[source] = std::chrono::duration_cast<core::Duration>(every * rule.factor);
        }
        out.failures_critical = rule.failed_pulls;
        break;
    }
    return out;
}

std::vector<FeedStatus>
feed_status(db::Connection& conn, core::Time now, const FeedLimits& limits) {
    // One statement whose cost follows series and sources, not history: the newest point of
    // each series is one index probe, the last day's points one index range per series, the
    // sources of the journal a skip scan of its (source, started_at) index, and the last pull
    // and the failed streak of a source a walk down that index from its newest pull.
    const auto r = conn.exec(
        std::string(
            "WITH RECURSIVE pulled AS (SELECT min(source) AS source FROM pulls UNION ALL "
            "  SELECT (SELECT min(p.source) FROM pulls p WHERE p.source > pulled.source) FROM "
            "pulled "
            "  WHERE pulled.source IS NOT NULL), "
            "sources AS (SELECT source FROM pulled WHERE source IS NOT NULL UNION SELECT source "
            "  FROM series), "
            "newest AS (SELECT s.source, count(*) AS series, max(p.ts) AS ts FROM series s "
            "  LEFT JOIN LATERAL (")
            + store::newest_point_sql("ts", "s.series_id", "$2", "$1")
            + ") p ON true "
              "GROUP BY s.source), "
              "recent AS (SELECT s.source, count(*) AS points FROM series s JOIN points p ON "
              "  p.series_id = s.series_id AND p.ts > $1::timestamptz - interval '24 hours' AND "
              "p.ts "
              "  <= $1 GROUP BY s.source), "
              "open AS (SELECT coalesce(s.source, a.subject) AS source, count(*) AS alerts FROM "
              "alerts a "
              "  LEFT JOIN series s ON s.series_id = a.series_id WHERE a.status = 'open' GROUP BY "
              "1) "
              "SELECT src.source, to_char(last.started_at AT TIME ZONE 'UTC', "
              "  'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), last.status, coalesce(streak.failed, 0), "
              "  to_char(newest.ts AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
              "  extract(epoch FROM $1 - newest.ts), coalesce(newest.series, 0), "
              "  coalesce(recent.points, 0), coalesce(open.alerts, 0) "
              "FROM sources src LEFT JOIN newest USING (source) LEFT JOIN recent USING (source) "
              "LEFT JOIN LATERAL (SELECT started_at, status FROM pulls WHERE source = src.source "
              "AND "
              "  kind = 'pull' AND status <> 'running' ORDER BY started_at DESC LIMIT 1) last ON "
              "true "
              "LEFT JOIN LATERAL (SELECT count(*) AS failed FROM pulls f WHERE f.source = "
              "src.source "
              "  AND f.kind = 'pull' AND f.status = 'failed' AND f.started_at > coalesce((SELECT "
              "  g.started_at FROM pulls g WHERE g.source = src.source AND g.kind = 'pull' AND "
              "  g.status IN ('ok', 'partial') ORDER BY g.started_at DESC LIMIT 1), '-infinity')) "
              "  streak ON true "
              "LEFT JOIN open USING (source) "
              "WHERE newest.source IS NOT NULL OR last.status IS NOT NULL "
              "ORDER BY src.source",
        {core::format_iso8601(now, core::Precision::micros),
         core::format_iso8601(store::recent_months_start(now), core::Precision::micros)});
    std::vector<FeedStatus> out;
    for (int i = 0; i < r.rows(); ++i) {
        FeedStatus f;
        f.source = r.get(i, 0);
        if (!r.is_null(i, 1)) {
            f.last_pull_at = r.get(i, 1);
            f.last_pull_status = r.get(i, 2);
        }
        f.failures_in_a_row = static_cast<int>(r.get_int(i, 3));
        if (!r.is_null(i, 4)) {
            f.newest_point = r.get(i, 4);
            f.age_seconds = r.get_double(i, 5);
        }
        f.series = r.get_int(i, 6);
        f.points_24h = r.get_int(i, 7);
        f.open_alerts = r.get_int(i, 8);
        if (const auto it = limits.max_age.find(f.source); it != limits.max_age.end()) {
            f.max_age = it->second;
        }

        std::vector<std::string> critical, warning;
        const double limit = f.max_age ? std::chrono::duration<double>(*f.max_age).count() : 0;
        if (f.max_age && !f.newest_point) {
            critical.push_back("no points stored");
        } else if (f.max_age && *f.age_seconds > limit) {
            critical.push_back(fmt::format("newest point {} old (max {})",
                                           core::format_age(*f.age_seconds),
                                           core::format_age(limit)));
        }
        if (f.failures_in_a_row >= limits.failures_critical) {
            critical.push_back(fmt::format("last {} pulls failed", f.failures_in_a_row));
        } else if (f.last_pull_status == "failed") {
            warning.push_back("last pull failed");
        } else if (f.last_pull_status == "partial") {
            warning.push_back("last pull partial");
        }
        f.health = !critical.empty()  ? Health::critical
                   : !warning.empty() ? Health::warning
                                      : Health::ok;
        critical.insert(critical.end(), warning.begin(), warning.end());
        f.reason = fmt::format("{}", fmt::join(critical, ", "));
        out.push_back(std::move(f));
    }
    return out;
}

long long database_size(db::Connection& conn) {
    return conn.exec("SELECT pg_database_size(current_database())").get_int(0, 0);
}

std::optional<long long> points_estimate(db::Connection& conn) {
    // Counting would read the whole history; the planner's row count (kept by autovacuum and
    // ANALYZE, summed over partitions or chunks if points has any) costs nothing. It is unknown
    // (reltuples -1) until either has looked at the table.
    const auto r = conn.exec(
        "WITH RECURSIVE tree AS (SELECT 'points'::regclass::oid AS oid UNION ALL SELECT "
        "i.inhrelid FROM pg_inherits i JOIN tree ON i.inhparent = tree.oid) "
        "SELECT sum(c.reltuples) FILTER (WHERE c.reltuples >= 0 AND c.relkind = 'r')::bigint "
        "FROM tree JOIN pg_class c USING (oid)");
    if (r.is_null(0, 0)) {
        return std::nullopt;
    }
    return r.get_int(0, 0);
}

std::optional<core::Time>
newest_point(db::Connection& conn, const std::string& source, core::Time now) {
    const auto r = conn.exec(
        "SELECT (extract(epoch FROM max(p.ts)) * 1e6)::bigint FROM series s CROSS JOIN LATERAL ("
            + store::newest_point_sql("ts", "s.series_id", "$3", "$2") + ") p WHERE s.source = $1",
        {source,
         core::format_iso8601(now, core::Precision::micros),
         core::format_iso8601(store::recent_months_start(now), core::Precision::micros)});
    if (r.is_null(0, 0)) {
        return std::nullopt;
    }
    return core::Time{core::Duration{r.get_int(0, 0)}};
}

} // namespace query
