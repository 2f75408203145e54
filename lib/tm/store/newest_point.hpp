#pragma once

#include <tm/core/time.hpp>

#include <string>
#include <string_view>

namespace store {

// Where "the newest point of a series" starts looking: the start of the UTC month before `now`'s.
// A constant, so that the planner can leave out the months of points before it (and its default
// partition, when those months exist) and read the months newest first; a series whose newest
// point is older is then looked up over the whole history.
core::Time recent_months_start(core::Time now);

// SQL for a subquery (use it as `LATERAL (…) alias`) giving `columns` of the newest point of the
// series `series_id` (an SQL expression) not after `until` (an SQL parameter; empty: no bound).
// `since` is the parameter holding recent_months_start(now). On monthly partitions with a default
// partition, the plain `ORDER BY ts DESC LIMIT 1` probes every month of every series (a merge of
// all of them: 405 ms for tm status's 550 series on 20M points); this reads one month for a live
// series (32 ms) and the whole history only for a series with nothing recent.
std::string newest_point_sql(std::string_view columns,
                             std::string_view series_id,
                             std::string_view since,
                             std::string_view until);

} // namespace store
