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
    before_horizon += o.before_horizon;
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

PointWriter::Spans PointWriter::spans(const Batch& batch,
                                      const std::vector<int32_t>& ids,
                                      const std::vector<uint32_t>& order,
                                      const std::function<bool(int32_t)>& keep) const {
    Spans out;
    const auto& refs = batch.refs();
    const auto& ts = batch.times();
    for (size_t i = 0; i < order.size();) {
        const int32_t id = ids[refs[order[i]]];
        size_t j = i;
        while (j + 1 < order.size() && ids[refs[order[j + 1]]] == id) {
            ++j;
        }
        if (keep(id)) {
            const char* sep = out.empty() ? "" : ",";
            out.ids += fmt::format("{}{}", sep, id);
            out.firsts += fmt::format(
                "{}{}", sep, core::format_iso8601(ts[order[i]], core::Precision::micros));
            out.lasts += fmt::format(
                "{}{}", sep, core::format_iso8601(ts[order[j]], core::Precision::micros));
        }
        i = j + 1;
    }
    out.ids += '}';
    out.firsts += '}';
    out.lasts += '}';
    return out;
}

bool PointWriter::overlaps_stored(const Spans& spans) {
    const auto r = m_conn.exec(R"(
        SELECT EXISTS (
            SELECT 1 FROM unnest($1::int[], $2::timestamptz[], $3::timestamptz[]) AS r(id, lo, hi)
             WHERE EXISTS (SELECT 1 FROM points p
                            WHERE p.series_id = r.id AND p.ts BETWEEN r.lo AND r.hi)))",
                               {spans.ids, spans.firsts, spans.lasts});
    return r.get(0, 0) == "t";
}

void PointWriter::prepare(const Batch& batch) {
    std::vector<std::string> months;
    for (const core::Time t : batch.times()) {
        const std::chrono::year_month_day day{std::chrono::floor<std::chrono::days>(t)};
        const std::chrono::sys_days first{day.year() / day.month() / 1};
        if (m_months.insert(first.time_since_epoch().count()).second) {
            months.push_back(core::format_iso8601(first));
        }
    }
    if (!months.empty()) {
        m_conn.exec("SELECT tm_points_partitions($1::timestamptz[])", {db::array_literal(months)});
    }
}

void PointWriter::lock_series(const std::vector<int32_t>& ids) {
    std::string list = "{";
    for (const int32_t id : ids) {
        list += fmt::format("{}{}", list.size() == 1 ? "" : ",", id);
    }
    list += '}';
    // Shared: writers never wait for each other here, only for tm compact moving a horizon.
    m_conn.exec("SELECT pg_advisory_xact_lock_shared(hashtext('tm:retention'), slot) FROM "
                "(SELECT DISTINCT id % 256 AS slot FROM unnest($1::int[]) AS id ORDER BY 1) AS "
                "slots",
                {list});
    const auto r = m_conn.exec(
        "SELECT series_id, candles, (extract(epoch FROM raw_since) * 1e6)::bigint FROM series "
        "WHERE series_id = ANY ($1::int[]) AND (candles OR raw_since IS NOT NULL)",
        {list});
    m_candles.clear();
    m_horizons.clear();
    for (int i = 0; i < r.rows(); ++i) {
        const auto id = static_cast<int32_t>(r.get_int(i, 0));
        if (r.get(i, 1) == "t") {
            m_candles.insert(id);
        }
        if (!r.is_null(i, 2)) {
            m_horizons[id] = core::Time{core::Duration{r.get_int(i, 2)}};
        }
    }
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
    std::vector<uint32_t> order = deduplicated_order(batch, ids);
    const auto unique = static_cast<long long>(order.size());
    counts.duplicates = counts.seen - unique;
    lock_series(ids);
    if (!m_horizons.empty()) {
        // The past of a series before its horizon is its rollups: nothing more is stored there.
        std::erase_if(order, [&](uint32_t i) {
            const auto it = m_horizons.find(ids[batch.refs()[i]]);
            return it != m_horizons.end() && batch.times()[i] < it->second;
        });
        counts.before_horizon = unique - static_cast<long long>(order.size());
        if (order.empty()) {
            return counts;
        }
    }
    const auto candle = [this](int32_t id) { return is_candle(id); };
    const Spans candle_spans = spans(batch, ids, order, candle);

    if (m_fast_path == FastPath::allowed
        && !overlaps_stored(spans(batch, ids, order, [](int32_t) { return true; }))) {
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
            counts.inserted = static_cast<long long>(order.size());
            // Nothing was stored in these spans before: every hour in them with a point is new.
            if (!candle_spans.empty()) {
                m_conn.exec("SELECT tm_rollups_refresh($1::int[], $2::timestamptz[], "
                            "$3::timestamptz[])",
                            {candle_spans.ids, candle_spans.firsts, candle_spans.lasts});
            }
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
        m_conn.exec("CREATE TEMP TABLE IF NOT EXISTS tm_touched (series_id integer, hour "
                    "timestamptz)");
        m_stage_ready = true;
    }
    m_conn.exec("TRUNCATE tm_stage, tm_touched");
    copy_rows("COPY tm_stage FROM STDIN (FORMAT binary)", batch, ids, order, false, pull_id);

    // Live pulls update a value that differs; backfills never touch a stored point. A returned
    // row that the statement's snapshot does not hold was inserted, the others were updated
    // (xmax, which tells them apart on a plain table, is not readable from a partitioned one).
    // The hours of the candle series that changed are noted for the rollup refresh below.
    const bool backfill = policy == Policy::backfill;
    const std::string conflict = backfill ? "DO NOTHING"
                                          : "DO UPDATE SET value = EXCLUDED.value, pull_id = "
                                            "EXCLUDED.pull_id WHERE points.value IS DISTINCT FROM "
                                            "EXCLUDED.value";
    const std::string inserted = backfill ? "true"
                                          : "NOT EXISTS (SELECT 1 FROM points p WHERE p.series_id "
                                            "= points.series_id AND p.ts = points.ts)";
    const auto r = m_conn.exec(fmt::format(R"(
        WITH written AS (
            INSERT INTO points (series_id, ts, value, pull_id)
            SELECT series_id, ts, value, $1 FROM tm_stage
            ON CONFLICT (series_id, ts) {}
            RETURNING series_id, ts, {} AS inserted),
        touched AS (
            INSERT INTO tm_touched
            SELECT DISTINCT series_id, date_trunc('hour', ts, 'UTC') FROM written
             WHERE series_id = ANY ($2::int[])
            RETURNING 1)
        SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted),
               (SELECT count(*) FROM touched)
          FROM written)",
                                           conflict,
                                           inserted),
                               {std::to_string(pull_id), candle_spans.ids});
    counts.inserted = r.get_int(0, 0);
    counts.updated = r.get_int(0, 1);
    counts.unchanged = unique - counts.before_horizon - counts.inserted - counts.updated;
    if (r.get_int(0, 2) > 0) {
        m_conn.exec("SELECT tm_rollups_refresh(array_agg(series_id), array_agg(hour), "
                    "array_agg(hour)) FROM tm_touched");
    }
    return counts;
}

} // namespace store
