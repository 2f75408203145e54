#pragma once

#include <tm/db/connection.hpp>
#include <tm/store/batch.hpp>

#include <cstdint>
#include <functional>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace store {

// How a write treats points that already exist (ARCHITECTURE §4.2).
enum class Policy {
    live,      // update when the value differs: the latest value of a bucket wins
    backfill,  // never touch an existing point: history does not overwrite live values
    overwrite, // backfill --overwrite: corrected history replaces what is stored
};

struct WriteCounts {
    long long seen = 0;       // points handed to the writer
    long long duplicates = 0; // dropped inside the batch (same series and time twice)
    long long inserted = 0;
    long long updated = 0;
    long long unchanged = 0;
    long long before_horizon = 0; // older than their series' retention horizon: not stored

    WriteCounts& operator+=(const WriteCounts& o);
};

// Moves a batch into `points`: COPY into a staging table, then one INSERT … ON CONFLICT. When no
// stored point of the batch's series falls in the batch's time range, the batch is copied
// straight into `points` instead (the fast path); a conflict appearing anyway (another writer)
// rolls back to a savepoint and takes the staged path, so the result is the same.
// In the same transaction it refreshes the hourly and daily rollups (candles) of the candle
// series' buckets that it inserted into or changed: one tm_rollups_refresh call per write.
// Whether the writer may COPY straight into `points` when nothing stored overlaps the batch.
enum class FastPath { allowed, disabled };

class PointWriter {
public:
    explicit PointWriter(db::Connection& conn, FastPath fast_path = FastPath::allowed)
        : m_conn(conn), m_fast_path(fast_path) {}

    // Makes the monthly partitions of `points` that `batch` needs and that this writer has not
    // seen yet. Call it outside a transaction, before the one of write(): a partition is made
    // in a short transaction of its own, so its lock never lasts as long as a write. A month it
    // could not make (lock timeout) is written to points_default, which loses nothing.
    void prepare(const Batch& batch);

    // Must run inside a transaction. `ids` comes from SeriesDictionary::resolve(batch).
    WriteCounts
    write(const Batch& batch, const std::vector<int32_t>& ids, Policy policy, int64_t pull_id);

    // Counts of the last write that took the fast path (for tests and benchmarks).
    long long fast_path_writes() const { return m_fast_path_writes; }

private:
    // The batch's series as arrays: ids, and the first and last time of each (`order` is
    // sorted by id and time). Only the series `keep` accepts.
    struct Spans {
        std::string ids = "{", firsts = "{", lasts = "{";
        bool empty() const { return ids.size() == 1; }
    };
    Spans spans(const Batch& batch,
                const std::vector<int32_t>& ids,
                const std::vector<uint32_t>& order,
                const std::function<bool(int32_t)>& keep) const;
    bool overlaps_stored(const Spans& spans);
    // Takes the retention locks of `ids` (tm compact waits for the write to commit) and reads
    // which are candle series and where the horizons of the others lie.
    void lock_series(const std::vector<int32_t>& ids);
    bool is_candle(int32_t id) const { return m_candles.contains(id); }
    void copy_rows(const std::string& copy_sql,
                   const Batch& batch,
                   const std::vector<int32_t>& ids,
                   const std::vector<uint32_t>& order,
                   bool with_pull_id,
                   int64_t pull_id);

    db::Connection& m_conn;
    FastPath m_fast_path;
    bool m_stage_ready = false;
    long long m_fast_path_writes = 0;
    std::unordered_set<int32_t> m_candles;
    std::unordered_map<int32_t, core::Time> m_horizons; // raw_since of the series that have one
    std::unordered_set<int64_t> m_months; // months prepared, as days since the epoch of their 1st
};

} // namespace store
