#include <tm/store/backfill_progress.hpp>

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

} // namespace store
