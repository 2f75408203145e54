#include <tm/db/copy_buffer.hpp>
#include <tm/store/point_writer.hpp>

#include <fmt/format.h>

#include <algorithm>

namespace store {
namespace {

constexpr size_t k_copy_chunk = size_t{1} << 20;

} // namespace

WriteCounts& WriteCounts::operator+=(const WriteCounts& o) {
    seen += o.seen;
    duplicates += o.duplicates;
    inserted += o.inserted;
    updated += o.updated;
    unchanged += o.unchanged;
    return *this;
}

void PointWriter::copy_rows(const std::string& copy_sql,
                            const Batch& batch,
                            const std::vector<int32_t>& ids,
                            const std::vector<uint32_t>& order,
                            bool with_pull_id,
                            int64_t pull_id) {
    const auto& refs = batch.refs();
    const auto& ts = batch.times();
    const auto& values = batch.values();
    m_conn.begin_copy(copy_sql);
    db::BinaryCopyBuffer buffer;
    for (const uint32_t i : order) {
        buffer.start_row(with_pull_id ? 4 : 3);
        buffer.add_int4(ids[refs[i]]);
        buffer.add_timestamptz(ts[i]);
        buffer.add_float8(values[i]);
        if (with_pull_id) {
            buffer.add_int8(pull_id);
        }
        if (buffer.size() >= k_copy_chunk) {
            m_conn.put_copy_data(buffer.take_chunk());
        }
    }
    buffer.finish();
    m_conn.put_copy_data(buffer.take_chunk());
    m_conn.end_copy();
}

bool PointWriter::overlaps_stored(const Batch& batch,
                                  const std::vector<int32_t>& ids,
                                  const std::vector<uint32_t>& order) {
    // `order` is sorted by (id, ts): each series is one run, first and last give its range.
    std::string id_list = "{", lo_list = "{", hi_list = "{";
    const auto& refs = batch.refs();
    const auto& ts = batch.times();
    for (size_t i = 0; i < order.size();) {
        const int32_t id = ids[refs[order[i]]];
        size_t j = i;
        while (j + 1 < order.size() && ids[refs[order[j + 1]]] == id) {
            ++j;
        }
        const char* sep = i == 0 ? "" : ",";
        id_list += fmt::format("{}{}", sep, id);
        lo_list +=
            fmt::format("{}{}", sep, core::format_iso8601(ts[order[i]], core::Precision::micros));
        hi_list +=
            fmt::format("{}{}", sep, core::format_iso8601(ts[order[j]], core::Precision::micros));
        i = j + 1;
    }
    id_list += '}';
    lo_list += '}';
    hi_list += '}';
    const auto r = m_conn.exec(R"(
        SELECT EXISTS (
            SELECT 1 FROM unnest($1::int[], $2::timestamptz[], $3::timestamptz[]) AS r(id, lo, hi)
             WHERE EXISTS (SELECT 1 FROM points p
                            WHERE p.series_id = r.id AND p.ts BETWEEN r.lo AND r.hi)))",
                               {id_list, lo_list, hi_list});
    return r.get(0, 0) == "t";
}

WriteCounts PointWriter::write(const Batch& batch,
                               const std::vector<int32_t>& ids,
                               Policy policy,
                               int64_t pull_id) {
    WriteCounts counts;
    counts.seen = static_cast<long long>(batch.size());
    if (batch.empty()) {
        return counts;
    }
    const std::vector<uint32_t> order = deduplicated_order(batch, ids);
    const auto unique = static_cast<long long>(order.size());
    counts.duplicates = counts.seen - unique;

    if (m_fast_path == FastPath::allowed && !overlaps_stored(batch, ids, order)) {
        m_conn.exec("SAVEPOINT tm_fast_path");
        try {
            copy_rows("COPY points (series_id, ts, value, pull_id) FROM STDIN (FORMAT binary)",
                      batch,
                      ids,
                      order,
                      true,
                      pull_id);
            m_conn.exec("RELEASE SAVEPOINT tm_fast_path");
            ++m_fast_path_writes;
            counts.inserted = unique;
            return counts;
        } catch (const db::DbError& e) {
            if (e.sqlstate() != "23505") {
                throw;
            }
            m_conn.exec("ROLLBACK TO SAVEPOINT tm_fast_path");
        }
    }

    if (!m_stage_ready) {
        m_conn.exec("CREATE TEMP TABLE IF NOT EXISTS tm_stage "
                    "(series_id integer, ts timestamptz, value double precision)");
        m_stage_ready = true;
    }
    m_conn.exec("TRUNCATE tm_stage");
    copy_rows("COPY tm_stage FROM STDIN (FORMAT binary)", batch, ids, order, false, pull_id);

    const std::string pull = std::to_string(pull_id);
    if (policy == Policy::backfill) {
        const auto r = m_conn.exec("INSERT INTO points (series_id, ts, value, pull_id) "
                                   "SELECT series_id, ts, value, $1 FROM tm_stage "
                                   "ON CONFLICT (series_id, ts) DO NOTHING",
                                   {pull});
        counts.inserted = r.affected();
    } else {
        // xmax = 0 marks a freshly inserted row; an updated row carries the updating xid.
        const auto r = m_conn.exec(R"(
            WITH written AS (
                INSERT INTO points (series_id, ts, value, pull_id)
                SELECT series_id, ts, value, $1 FROM tm_stage
                ON CONFLICT (series_id, ts) DO UPDATE
                   SET value = EXCLUDED.value, pull_id = EXCLUDED.pull_id
                 WHERE points.value IS DISTINCT FROM EXCLUDED.value
                RETURNING (xmax = 0) AS inserted)
            SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted)
              FROM written)",
                                   {pull});
        counts.inserted = r.get_int(0, 0);
        counts.updated = r.get_int(0, 1);
    }
    counts.unchanged = unique - counts.inserted - counts.updated;
    return counts;
}

} // namespace store
