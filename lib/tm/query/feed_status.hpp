#pragma once

#include <tm/core/time.hpp>
#include <tm/db/connection.hpp>
#include <tm/rules/rule.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace query {

// Monitoring-plugin states (tm status's exit codes).
enum class Health { ok = 0, warning = 1, critical = 2, unknown = 3 };
std::string_view health_name(Health h); // "OK", "WARNING", "CRITICAL", "UNKNOWN"

// The health of one source's feed.
struct FeedStatus {
    std::string source;
    std::optional<std::string> last_pull_at; // ISO-8601 UTC, last finished `tm pull`
    std::optional<std::string> last_pull_status;
    int failures_in_a_row = 0;               // failed pulls since the last ok or partial one
    std::optional<std::string> newest_point; // ISO-8601 UTC
    std::optional<double> age_seconds;       // of the newest point, as of now
    std::optional<core::Duration> max_age;   // when the newest point counts as stale
    long long series = 0;
    long long points_24h = 0; // points stamped in the 24 hours up to now
    long long open_alerts = 0;
    Health health = Health::ok;
    std::string reason; // why it is not OK
};

// When a feed counts as stale or failing: its max age per source, and the failed pulls in a row
// that make it critical.
struct FeedLimits {
    std::map<std::string, core::Duration> max_age;
    int failures_critical = 3;
};

// The limits the rules imply, so that tm detect, tm status and tm serve agree: from the first
// staleness rule, max age = factor x schedule per source, and its failed_pulls.
FeedLimits feed_limits(const std::vector<rules::Rule>& rules);

// Every source that has series or finished pulls, judged as of `now`: CRITICAL when its newest
// point is older than its max age or its last `failures_critical` pulls failed, WARNING when its
// last pull failed or was partial, OK otherwise. Sources without a max age are judged on pulls
// only. Points are judged as of `now` (TM_NOW in tests); the journal's times are the wall clock's,
// so the last pull is simply the newest finished one. What it reads follows the number of series
// and sources, the last day's points and the latest pulls, never the whole history or journal.
std::vector<FeedStatus> feed_status(db::Connection& conn, core::Time now, const FeedLimits& limits);

// The size of the current database in bytes.
long long database_size(db::Connection& conn);

// Points stored, as PostgreSQL's statistics count them (no scan; summed over partitions or
// chunks if points has any): live rows as the statistics system counts inserts and deletes, else
// the planner's estimate; nullopt until either has looked at the table.
std::optional<long long> points_estimate(db::Connection& conn);

// The newest point of `source` not after `now` (one index probe per series), if it has any.
std::optional<core::Time>
newest_point(db::Connection& conn, const std::string& source, core::Time now);

} // namespace query
