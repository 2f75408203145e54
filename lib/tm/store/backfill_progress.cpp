#include <tm/store/backfill_progress.hpp>

#include <string>
#include <vector>

namespace store {

std::map<ProgressKey, core::Time> load_progress(db::Connection& conn, const std::string& source) {
    std::map<ProgressKey, core::Time> out;
    const auto rows =
        conn.exec("SELECT asset, metric, (extract(epoch FROM done_through) * 1e6)::bigint "
                  "FROM backfill_progress WHERE source = $1",
                  {source});
    for (int i = 0; i < rows.rows(); ++i) {
        out[{std::string(rows.get(i, 0)), std::string(rows.get(i, 1))}] =
            core::Time{core::Duration{rows.get_int(i, 2)}};
    }
    return out;
}

void advance_progress(db::Connection& conn,
                      const std::string& source,
                      const std::map<ProgressKey, core::Time>& through) {
    std::vector<std::string> assets, metrics, times;
    for (const auto& [key, time] : through) {
        assets.push_back(key.asset);
        metrics.push_back(key.metric);
        times.push_back(core::format_iso8601(time, core::Precision::micros));
    }
    conn.exec(
        "INSERT INTO backfill_progress (source, asset, metric, done_through) "
        "SELECT $1, a, m, t FROM unnest($2::text[], $3::text[], $4::timestamptz[]) AS "
        "u(a, m, t) "
        "ON CONFLICT (source, asset, metric) DO UPDATE "
        "SET done_through = GREATEST(backfill_progress.done_through, "
        "EXCLUDED.done_through), updated_at = now()",
        {source, db::array_literal(assets), db::array_literal(metrics), db::array_literal(times)});
}

} // namespace store
