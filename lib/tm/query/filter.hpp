#pragma once

#include <tm/core/time.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

// What tm query and tm serve are asked for: plain values (query/views.hpp runs them).
namespace query {

enum class View { latest, history, ohlcv, alerts, pulls, pull_errors, assets, series };

// "latest" → View::latest; nullopt for anything else.
std::optional<View> view_named(std::string_view name);
std::vector<std::string> view_names();
std::string_view view_name(View view);

// Filters; every value travels as a bound parameter.
struct Filter {
    std::optional<std::string> source = {};
    std::vector<std::string> assets = {};
    std::optional<std::string> kind = {}; // of the assets table: protocol, chain, pool, coin…
    // A metric, or a metric family: FEES matches FEES, FEES_24H and CHAIN_FEES_24H, so one
    // question compares sources that name the same measure differently.
    std::optional<std::string> metric = {};
    // An entity of the entities table: every source's series of its assets.
    std::optional<std::string> entity = {};
    std::optional<core::Time> since = {};
    std::optional<core::Time> until = {}; // exclusive
    std::optional<long long> limit = {};
    std::optional<long long> offset = {}; // rows skipped before the first one returned
    // history: one row per series and hour/day/week, the bucket's `agg` (last, first, avg, min,
    // max, sum) of its points.
    std::optional<std::string> interval = {};
    std::string agg = "last";
    // history with an interval, for charts: the last point of each bucket at its own time,
    // found by one index probe per bucket, so the cost follows the buckets and not the points
    // behind them (a month of minute prices in hourly buckets is 720 probes, not 43,200 rows);
    // `points` is then NULL. The interval may also be any PostgreSQL interval ("4 hours").
    bool sampled = false;
    std::string status = "open"; // alerts: open, resolved or all
    bool csv_safe = false;       // text cells a spreadsheet would run as formulas get a '
    // --sort COLUMN [--desc]: rows ordered by this column of the view (its name or its table
    // header) first, then in the view's own order; NULLs last either way.
    std::optional<std::string> sort = {};
    bool desc = false;
};

} // namespace query
