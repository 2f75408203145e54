#pragma once

#include <tm/core/error.hpp>
#include <tm/core/time.hpp>
#include <tm/http/client.hpp>
#include <tm/jobs/progress.hpp>
#include <tm/report/metrics_file.hpp>
#include <tm/sources/source.hpp>

#include <optional>
#include <string>

namespace jobs {

struct BackfillOptions {
    std::string source;
    std::optional<std::string> db;
    http::ClientOptions http;
    sources::Selection selection;
    std::optional<core::Time> since; // first day kept (inclusive)
    std::optional<core::Time> until; // last day kept (inclusive); default yesterday
    bool overwrite = false;          // corrected history replaces stored values
    bool restart = false;            // ignore backfill_progress and fetch every chunk again
    ProgressMode progress = ProgressMode::off;
    std::chrono::milliseconds progress_interval{30'000}; // off a terminal
    std::string args;
};

// `tm backfill SOURCE`: history at the API's own timestamps, complete UTC days only (a
// chart's partial current day is left to live pulls). Each chunk (one asset's history of one
// family) commits with its backfill_progress row, so a killed run resumes at the next chunk
// and ends with exactly the rows of an uninterrupted one. Policy: never overwrite
// (`--overwrite` opts in). Returns ok, partial or failed like a pull.
core::ExitCode run_backfill(const BackfillOptions& options, report::RunMetrics& metrics);

} // namespace jobs
