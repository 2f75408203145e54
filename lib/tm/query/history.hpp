#pragma once

#include <tm/core/time.hpp>
#include <tm/db/connection.hpp>
#include <tm/report/rows.hpp>

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

namespace query {

enum class View { latest, history, ohlcv };
using Format = report::Format;

// Filters; every value travels as a bound parameter.
struct Filter {
    std::optional<std::string> source;
    std::vector<std::string> assets;
    // A metric, or a metric family: FEES matches FEES, FEES_24H and CHAIN_FEES_24H, so one
    // question compares sources that name the same measure differently.
    std::optional<std::string> metric;
    // An entity of the entities table: every source's series of its assets.
    std::optional<std::string> entity;
    std::optional<core::Time> since;
    std::optional<core::Time> until; // exclusive
    std::optional<long long> limit;
};

// daily_ohlcv rows (source, asset, day, open, high, low, close, volume, samples) that match the
// source, asset and time filters.
long long run_ohlcv(db::Connection& conn, const Filter& filter, Format format, std::FILE* out);

// Writes the rows of `view` that match `filter` to `out`: CSV (RFC 4180, a header row, UTC
// ISO-8601 times) streams row by row; a table is aligned, so it is held until printed.
// Columns: entity, source, asset, metric, ts, value. Returns the rows written.
long long run(db::Connection& conn, View view, const Filter& filter, Format format, std::FILE* out);

} // namespace query
