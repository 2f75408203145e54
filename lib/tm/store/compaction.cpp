#include <tm/store/compaction.hpp>

#include <fmt/format.h>

namespace store {
namespace {

// The policy as three parallel arrays (source, metric, days; '*' for any, NULL days for forever)
// with the default as ('*', '*').
db::Params policy_arrays(const RetentionPolicy& policy) {
    std::vector<std::string> sources{"*"}, metrics{"*"};
    std::string days = policy.default_raw_days ? fmt::format("{{{}", *policy.default_raw_days)
                                               : std::string("{NULL");
    for (const auto& e : policy.entries) {
        const auto any = std::vector<std::string>{"*"};
        for (const auto& s : e.sources.empty() ? any : e.sources) {
            for (const auto& m : e.metrics.empty() ? any : e.metrics) {
                sources.push_back(s);
                metrics.push_back(m);
                days += e.raw_days ? fmt::format(",{}", *e.raw_days) : std::string(",NULL");
            }
        }
    }
    days += '}';
    return {db::array_literal(sources), db::array_literal(metrics), days};
}

} // namespace

std::vector<SealStep>
seal_plan(db::Connection& conn, const RetentionPolicy& policy, core::Time now) {
    auto params = policy_arrays(policy);
    params.emplace_back(core::format_iso8601(now, core::Precision::micros));
    // The most specific entry wins: source and metric, then source, then metric, then default.
    const auto r = conn.exec(R"(
        WITH entry AS (SELECT * FROM unnest($1::text[], $2::text[], $3::int[])
                                  AS e(source, metric, days)),
        horizon AS (
            SELECT s.series_id, s.raw_since,
                   date_trunc('day', $4::timestamptz, 'UTC') - make_interval(days => e.days)
                       AS cutoff
              FROM series s
             CROSS JOIN LATERAL (SELECT days FROM entry e
                                  WHERE e.source IN (s.source, '*') AND e.metric IN (s.metric, '*')
                                  ORDER BY (e.source <> '*')::int * 2 + (e.metric <> '*')::int DESC
                                  LIMIT 1) e
             WHERE e.days IS NOT NULL),
        todo AS (
            SELECT h.series_id, h.cutoff,
                   coalesce(h.raw_since,
                            (SELECT min(p.ts) FROM points p WHERE p.series_id = h.series_id))
                       AS start
              FROM horizon h
             WHERE h.raw_since IS NULL OR h.raw_since < h.cutoff)
        SELECT t.series_id,
               (extract(epoch FROM least((m + interval '1 month') AT TIME ZONE 'UTC', t.cutoff))
                * 1e6)::bigint AS through
          FROM todo t
         CROSS JOIN LATERAL generate_series(date_trunc('month', t.start AT TIME ZONE 'UTC'),
                                            (t.cutoff AT TIME ZONE 'UTC')
                                                - interval '1 microsecond',
                                            interval '1 month') AS m
         WHERE t.start < t.cutoff
         ORDER BY 2, 1)",
                             params);
    std::vector<SealStep> steps;
    steps.reserve(static_cast<size_t>(r.rows()));
    for (int i = 0; i < r.rows(); ++i) {
        steps.push_back(
            {static_cast<int32_t>(r.get_int(i, 0)), core::Time{core::Duration{r.get_int(i, 1)}}});
    }
    return steps;
}

void seal(db::Connection& conn, std::span<const SealStep> steps) {
    std::string ids = "{", throughs = "{";
    for (const auto& step : steps) {
        const char* sep = ids.size() == 1 ? "" : ",";
        ids += fmt::format("{}{}", sep, step.series_id);
        throughs +=
            fmt::format("{}{}", sep, core::format_iso8601(step.through, core::Precision::micros));
    }
    ids += '}';
    throughs += '}';
    conn.exec("SELECT tm_retention_seal($1::int[], $2::timestamptz[])", {ids, throughs});
}

std::vector<std::string> reclaimable_months(db::Connection& conn) {
    const auto r = conn.exec("SELECT part::text FROM tm_points_reclaimable() AS part");
    std::vector<std::string> out;
    for (int i = 0; i < r.rows(); ++i) {
        out.emplace_back(r.get(i, 0));
    }
    return out;
}

Reclaimed reclaim(db::Connection& conn, const std::string& month) {
    try {
        const auto r = conn.exec("SELECT tm_points_reclaim($1::regclass)", {month});
        return r.get(0, 0) == "dropped" ? Reclaimed::dropped : Reclaimed::rewritten;
    } catch (const db::DbError& e) {
        if (e.sqlstate() != "55P03") {
            throw;
        }
        return Reclaimed::busy;
    }
}

long long settle_partitions(db::Connection& conn, core::Time now) {
    const auto r = conn.exec(R"(
        SELECT tm_points_partitions(array_agg(m))
          FROM (SELECT DISTINCT date_trunc('month', ts, 'UTC') AS m FROM points_default
                UNION SELECT $1::timestamptz
                UNION SELECT (date_trunc('month', $1::timestamptz AT TIME ZONE 'UTC')
                              + interval '1 month') AT TIME ZONE 'UTC') AS months)",
                             {core::format_iso8601(now, core::Precision::micros)});
    return r.get_int(0, 0);
}

long long rebuild_candles(db::Connection& conn, const std::optional<std::string>& source) {
    const auto ids = conn.exec("SELECT series_id FROM series WHERE candles AND ($1::text IS NULL "
                               "OR source = $1) ORDER BY 1",
                               {source});
    for (int i = 0; i < ids.rows(); ++i) {
        conn.exec("SELECT tm_rollups_refresh(ARRAY[$1::int], ARRAY['-infinity'::timestamptz], "
                  "ARRAY['infinity'::timestamptz])",
                  {std::string(ids.get(i, 0))});
    }
    return ids.rows();
}

} // namespace store
