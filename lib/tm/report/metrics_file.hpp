#pragma once

#include <tm/http/client.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace report {

// How a run ended, for alerting: a failed run apart from a partial one (some assets failed, the
// rest stored), from a database that could not be reached, from a lock held by another run, and
// from a usage error (nothing ran; no metrics file is written for it).
enum class Result { ok, partial, failed, usage, database_unreachable, locked, interrupted };
std::string_view result_name(Result r); // "ok", "partial", "failed", …

// The result an exit code of the README's table stands for.
Result result_of(int exit_code);

// What this process's run did, for its metrics file; the jobs fill it in as they learn it.
struct RunMetrics {
    std::string source; // empty when the command is not about one source
    http::ClientStats http;
    long long points_inserted = 0;
    long long points_updated = 0;
    long long errors = 0; // failed requests or assets, undelivered notifications
    // Set by a command whose exit code is not its run's outcome: tm status exits with the
    // health it found (2 = CRITICAL), not with how its run went.
    std::optional<Result> result;
    // tm pull: the newest point stored for its source, and the age at which the feed counts as
    // stale (the rules' staleness limit), so that alerting sees a stale feed even when the
    // pulls themselves stop.
    std::optional<double> newest_point_unix;
    std::optional<double> max_age_seconds;
    // tm detect: alert events still waiting for a channel after this run.
    std::optional<long long> undelivered_events;

    Result outcome(int exit_code) const { return result.value_or(result_of(exit_code)); }
};

// Where the metrics file goes: --metrics-file, else $TM_METRICS_DIR/tm_COMMAND[_SOURCE].prom,
// else nowhere.
std::optional<std::string> metrics_file_path(const std::optional<std::string>& flag,
                                             std::string_view command,
                                             const std::string& source);

// The folder the metrics file will go to (--metrics-file's, else $TM_METRICS_DIR), if any.
std::optional<std::string> metrics_folder(const std::optional<std::string>& flag);

// Writes the run's metrics to `path` atomically in the Prometheus text format (node_exporter's
// textfile collector): last run and last success times, duration, exit code, requests by
// status, retries, rate-limit waits, points inserted and updated, errors, the result (one
// series per Result, the run's at 1), and what the job added (feed freshness, undelivered
// events), labelled with the command and source. The last success time of a run that did not
// succeed is carried over from the file it replaces; ok and partial count as success. Throws
// core::Error.
void write_metrics_file(const std::string& path,
                        std::string_view command,
                        const RunMetrics& run,
                        int exit_code,
                        double started_unix,
                        double ended_unix);

} // namespace report
