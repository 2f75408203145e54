#pragma once

#include <tm/core/error.hpp>

#include <optional>
#include <string>

namespace jobs {

struct CompactOptions {
    std::optional<std::string> db;
    std::optional<std::string> config; // --config: retention file; the built-in one otherwise
    bool rebuild = false;              // --rebuild-candles: repair the candles instead
    std::optional<std::string> source; // with --rebuild-candles: only this source's candles
};

// tm compact: applies the retention policy. Rolls up each series' points before its horizon and
// records the horizon (small transactions: a killed run loses nothing and the next run goes on
// where it stopped), then frees the months holding only rolled-up points or rewrites them with
// what is kept. Idempotent: a second run at the same time changes nothing. With `rebuild`,
// rebuilds the candles from the raw points instead (a repair; buckets whose raw points
// retention removed are kept). Connects as the writer; one tm compact at a time (exit 5).
// Prints what it did on stdout.
core::ExitCode run_compact(const CompactOptions& options);

} // namespace jobs
