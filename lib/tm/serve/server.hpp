#pragma once

#include <tm/core/error.hpp>

#include <optional>
#include <string>

// tm serve: read-only JSON over HTTP for apps and dashboards (seed 000's API), plus Prometheus
// metrics. The queries are tm query's (query/views.hpp).
namespace serve {

struct ServeOptions {
    std::optional<std::string> db;
    std::string host = "127.0.0.1";
    int port = 8080;
    long long max_rows = 10'000;           // no response lists more rows
    std::optional<std::string> rules_file; // schedules for /metrics' feed health
};

// Serves until SIGTERM or SIGINT, then finishes the requests in flight and returns 0. Throws
// core::UsageError when it cannot listen.
core::ExitCode run_server(const ServeOptions& options);

} // namespace serve
