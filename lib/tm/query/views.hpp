#pragma once

#include <tm/core/time.hpp>
#include <tm/db/connection.hpp>
#include <tm/report/rows.hpp>

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

// Reading stored data back out (tm query; tm serve uses the same queries).
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

// One SELECT of a view: text, parameters and result columns.
struct Select {
    std::string sql;
    db::Params params;
    std::vector<report::Column> columns;
};

// The SELECT for `view` and `filter`; `now` dates the age of latest values. For a table (people
// read it) the series views also show the asset's name (from `assets`) before its id, and the
// assets view its name and symbol first; CSV, JSON and NDJSON keep their columns. Throws
// core::UsageError for a --sort column the view does not have, naming those it has.
Select select(View view, const Filter& filter, core::Time now, report::Format format);

// Checks the filter against what is stored: throws core::UsageError for a metric or entity
// nothing has, listing the valid choices when there are few.
void check_filter(db::Connection& conn, const Filter& filter);

// Entities (of the entities table) that have at least one stored series, by name.
std::vector<std::string> stored_entities(db::Connection& conn);

// Writes `view`'s rows matching `filter` to `out` in `format`. Returns the rows written.
long long
run(db::Connection& conn, View view, const Filter& filter, report::Format format, std::FILE* out);

} // namespace query
