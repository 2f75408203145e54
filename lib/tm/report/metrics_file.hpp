#pragma once

#include <tm/http/client.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace report {

// What this process's run did, for its metrics file; the jobs fill it in as they learn it.
struct RunMetrics {
    std::string source; // empty when the command is not about one source
    http::ClientStats http;
    long long points_inserted = 0;
    long long points_updated = 0;
    long long errors = 0; // failed requests or assets, undelivered notifications
};

// The one RunMetrics of this process.
RunMetrics& current_run();

// Where the metrics file goes: --metrics-file, else $TM_METRICS_DIR/tm_COMMAND[_SOURCE].prom,
// else nowhere.
std::optional<std::string> metrics_file_path(const std::optional<std::string>& flag,
                                             std::string_view command,
                                             const std::string& source);

// Writes the run's metrics to `path` atomically in the Prometheus text format (node_exporter's
// textfile collector): last run and last success times, duration, exit code, requests by
// status, retries, rate-limit waits, points inserted and updated, errors, labelled with the
// command and source. The last success time of a failed run is carried over from the file it
// replaces. Exit codes 0 and 3 (partial) count as success. Throws core::Error.
void write_metrics_file(const std::string& path,
                        std::string_view command,
                        const RunMetrics& run,
                        int exit_code,
                        double started_unix,
                        double ended_unix);

} // namespace report
