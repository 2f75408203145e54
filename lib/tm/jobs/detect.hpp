#pragma once

#include <tm/core/error.hpp>
#include <tm/core/time.hpp>
#include <tm/http/client.hpp>
#include <tm/report/format.hpp>
#include <tm/report/metrics_file.hpp>

#include <optional>
#include <string>
#include <vector>

namespace jobs {

struct DetectOptions {
    std::optional<std::string> db;
    std::optional<std::string> rules_file; // --rules; the built-in config/rules.toml otherwise
    std::vector<std::string> only;         // --rule NAME…
    bool dry_run = false;
    bool backtest = false;
    std::optional<core::Time> since; // backtest range
    std::optional<core::Time> until;
    std::optional<std::string> alert_log;
    // How long to wait for another tm detect to finish: the shipped schedules start several at
    // once, and they must queue, not fail.
    core::Duration lock_wait = std::chrono::minutes{2};
    report::Format format = report::Format::table; // backtest output
    http::ClientOptions http;
};

// tm detect: judges the rules, applies the alert lifecycle and notifies (or, with dry_run,
// prints what would open and resolve; with backtest, when each rule would have fired). Runs one
// at a time: waits up to lock_wait for a running one, then exit 5. Exit 3 when a notification
// could not be delivered (it is retried next run).
core::ExitCode run_detect(const DetectOptions& options, report::RunMetrics& metrics);

} // namespace jobs
