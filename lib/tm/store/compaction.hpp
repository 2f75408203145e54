#pragma once

#include <tm/core/time.hpp>
#include <tm/db/connection.hpp>
#include <tm/store/retention.hpp>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

// Retention and repair of rollups (tm compact): the SQL side lives in schema/007 and 008.
namespace store {

// One step of moving a series' horizon: roll up its points before `through`, then record
// `through` as its raw_since. A series far behind its horizon takes one step per UTC month, so
// that each step (and the locks writers wait on) stays small.
struct SealStep {
    int32_t series_id = 0;
    core::Time through;
};

// The steps that bring every series under a finite retention to its horizon at `now` (today's
// UTC midnight minus its raw_days), oldest first. Series with nothing stored before their
// horizon take no step.
std::vector<SealStep>
seal_plan(db::Connection& conn, const RetentionPolicy& policy, core::Time now);

// Takes `steps` in one transaction (tm_retention_seal): rolled up and recorded, or neither.
void seal(db::Connection& conn, std::span<const SealStep> steps);

// Month partitions holding points that lie before their series' horizon, oldest first.
std::vector<std::string> reclaimable_months(db::Connection& conn);

enum class Reclaimed { dropped, rewritten, busy };

// Frees `month` (tm_points_reclaim): dropped when nothing in it is kept, else rewritten with
// what is kept. `busy` when it could not get its locks within 2 s (a later run frees it).
Reclaimed reclaim(db::Connection& conn, const std::string& month);

// Moves what points_default holds (rows loaded by SQL into months that had no partition) into
// monthly partitions, and makes the partitions of this month and the next so that writes at a
// month's start do not make them. Returns the partitions made.
long long settle_partitions(db::Connection& conn, core::Time now);

// Rebuilds the candles (hourly and daily rollups of PRICE and VOLUME_24H series, of `source` or
// every source) from their raw points, one series per transaction. Buckets before a series'
// horizon are kept as they are: their raw points are gone. Returns the series rebuilt.
long long rebuild_candles(db::Connection& conn, const std::optional<std::string>& source);

} // namespace store
