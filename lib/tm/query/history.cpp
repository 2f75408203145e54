#include <tm/query/history.hpp>
#include <tm/store/metric_family.hpp>

#include <fmt/format.h>

#include <algorithm>

namespace query {

long long run(db::Connection& conn, View view, const Filter& f, Format format, std::FILE* out) {
    if (view == View::ohlcv) {
        return run_ohlcv(conn, f, format, out);
    }
    const std::string from =
        view == View::latest ? "FROM series s CROSS JOIN LATERAL (SELECT ts, value FROM points "
                               "WHERE points.series_id = s.series_id ORDER BY ts DESC LIMIT 1) p"
                             : "FROM points p JOIN series s USING (series_id)";
    const std::string sql = fmt::format(
        "SELECT coalesce(e.entity, ''), s.source, s.asset, s.metric, p.ts::text, p.value::text {} "
        "LEFT JOIN LATERAL (SELECT entity FROM entities e WHERE e.source = s.source AND e.asset = "
        "s.asset "
        "                   ORDER BY entity LIMIT 1) e ON true "
        "WHERE ($1::text IS NULL OR s.source = $1) "
        "  AND ($2::text[] IS NULL OR s.asset = ANY($2)) "
        "  AND ($3::text IS NULL OR s.metric = $3 OR {} = $3) "
        "  AND ($4::text IS NULL OR e.entity = $4) "
        "  AND ($5::timestamptz IS NULL OR p.ts >= $5) "
        "  AND ($6::timestamptz IS NULL OR p.ts < $6) "
        "ORDER BY s.source, s.asset, s.metric, p.ts "
        "LIMIT $7",
        from,
        store::metric_family_sql);
    const auto time = [](const std::optional<core::Time>& t) -> std::optional<std::string> {
        return t ? std::optional(core::format_iso8601(*t, core::Precision::micros)) : std::nullopt;
    };
    const db::Params params = {
        f.source,
        f.assets.empty() ? std::nullopt : std::optional(db::array_literal(f.assets)),
        f.metric,
        f.entity,
        time(f.since),
        time(f.until),
        f.limit ? std::optional(std::to_string(*f.limit)) : std::nullopt,
    };
    return report::write_rows(conn,
                              sql,
                              params,
                              {"entity", "source", "asset", "metric", "ts", "value"},
                              {4},
                              {5},
                              format,
                              out);
}

long long run_ohlcv(db::Connection& conn, const Filter& f, Format format, std::FILE* out) {
    const std::string sql =
        "SELECT source, asset, day::text, open::text, high::text, low::text, close::text, "
        "coalesce(volume::text, ''), "
        "samples::text FROM daily_ohlcv "
        "WHERE ($1::text IS NULL OR source = $1) AND ($2::text[] IS NULL OR asset = ANY($2)) "
        "  AND ($3::timestamptz IS NULL OR day >= $3) AND ($4::timestamptz IS NULL OR day < $4) "
        "ORDER BY source, asset, day LIMIT $5";
    const auto time = [](const std::optional<core::Time>& t) -> std::optional<std::string> {
        return t ? std::optional(core::format_iso8601(*t, core::Precision::micros)) : std::nullopt;
    };
    return report::write_rows(
        conn,
        sql,
        {f.source,
         f.assets.empty() ? std::nullopt : std::optional(db::array_literal(f.assets)),
         time(f.since),
         time(f.until),
         f.limit ? std::optional(std::to_string(*f.limit)) : std::nullopt},
        {"source", "asset", "day", "open", "high", "low", "close", "volume", "samples"},
        {2},
        {3, 4, 5, 6, 7, 8},
        format,
        out);
}

} // namespace query
