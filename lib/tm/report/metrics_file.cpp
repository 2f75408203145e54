#include <tm/core/error.hpp>
#include <tm/core/files.hpp>
#include <tm/core/strings.hpp>
#include <tm/report/metrics_file.hpp>

#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>

namespace report {
namespace {

// The value of `name` in a metrics file this function wrote, if any.
std::optional<double> previous_value(const std::string& text, std::string_view name) {
    size_t at = 0;
    while ((at = text.find(name, at)) != std::string::npos) {
        const size_t eol = text.find('\n', at);
        const std::string line =
            text.substr(at, eol == std::string::npos ? std::string::npos : eol - at);
        at += name.size();
        if (line.size() > name.size() && line[name.size()] == '{') {
            const auto space = line.rfind(' ');
            return core::strings::parse_double(line.substr(space + 1));
        }
    }
    return std::nullopt;
}

constexpr Result k_written_results[] = {
    Result::ok, Result::partial, Result::failed, Result::database_unreachable, Result::locked};

} // namespace

std::string_view result_name(Result r) {
    switch (r) {
    case Result::ok:
        return "ok";
    case Result::partial:
        return "partial";
    case Result::failed:
        return "failed";
    case Result::usage:
        return "usage";
    case Result::database_unreachable:
        return "database_unreachable";
    case Result::locked:
        return "locked";
    case Result::interrupted:
        return "interrupted";
    }
    return "failed";
}

Result result_of(int exit_code) {
    switch (static_cast<core::ExitCode>(exit_code)) {
    case core::ExitCode::ok:
        return Result::ok;
    case core::ExitCode::partial:
        return Result::partial;
    case core::ExitCode::usage:
        return Result::usage;
    case core::ExitCode::db_unreachable:
        return Result::database_unreachable;
    case core::ExitCode::locked:
        return Result::locked;
    case core::ExitCode::interrupted_by_sigint:
    case core::ExitCode::interrupted_by_sigterm:
        return Result::interrupted;
    case core::ExitCode::failed:
        break;
    }
    return Result::failed;
}

std::optional<std::string> metrics_file_path(const std::optional<std::string>& flag,
                                             std::string_view command,
                                             const std::string& source) {
    if (flag) {
        return flag;
    }
    const char* dir = std::getenv("TM_METRICS_DIR");
    if (dir == nullptr || *dir == '\0') {
        return std::nullopt;
    }
    return source.empty() ? fmt::format("{}/tm_{}.prom", dir, command)
                          : fmt::format("{}/tm_{}_{}.prom", dir, command, source);
}

std::optional<std::string> metrics_folder(const std::optional<std::string>& flag) {
    if (flag) {
        return std::filesystem::absolute(*flag).parent_path().string();
    }
    const char* dir = std::getenv("TM_METRICS_DIR");
    if (dir == nullptr || *dir == '\0') {
        return std::nullopt;
    }
    return std::string(dir);
}

void write_metrics_file(const std::string& path,
                        std::string_view command,
                        const RunMetrics& run,
                        int exit_code,
                        double started_unix,
                        double ended_unix) {
    const std::string labels =
        run.source.empty() ? fmt::format("command=\"{}\"", command)
                           : fmt::format("command=\"{}\",source=\"{}\"", command, run.source);
    const Result result = run.outcome(exit_code);
    const bool success = result == Result::ok || result == Result::partial;
    // A plain double: g++ 12 misreads an optional<double> here (-Wmaybe-uninitialized).
    double last_success = success ? ended_unix : -1;
    if (!success) {
        if (const auto old = core::files::read_if_exists(path)) {
            last_success = previous_value(*old, "tm_last_success_timestamp_seconds").value_or(-1);
        }
    }
    std::string out;
    const auto gauge =
        [&](std::string_view name, std::string_view help, const std::string& extra, double value) {
            if (out.find(fmt::format("# TYPE {} ", name)) == std::string::npos) {
                out += fmt::format("# HELP {} {}\n# TYPE {} gauge\n", name, help, name);
            }
            out += fmt::format("{}{{{}{}}} {}\n", name, labels, extra, value);
        };
    gauge("tm_last_run_timestamp_seconds", "Unix time the last run ended.", "", ended_unix);
    if (last_success >= 0) {
        gauge("tm_last_success_timestamp_seconds",
              "Unix time the last run that stored its data (exit 0 or 3) ended.",
              "",
              last_success);
    }
    gauge("tm_last_run_duration_seconds",
          "Wall time of the last run.",
          "",
          ended_unix - started_unix);
    gauge("tm_last_run_exit_code",
          "Exit code of the last run (README \"Exit codes\"; tm status: the health it found).",
          "",
          exit_code);
    for (const Result r : k_written_results) {
        gauge("tm_last_run_result",
              "How the last run ended: 1 for its result, 0 for the others.",
              fmt::format(",result=\"{}\"", result_name(r)),
              r == result ? 1 : 0);
    }
    for (const auto& [status, n] : run.http.by_status) {
        gauge("tm_last_run_http_responses",
              "Final HTTP outcomes of the last run by status (0: no response).",
              fmt::format(",status=\"{}\"", status),
              static_cast<double>(n));
    }
    gauge("tm_last_run_http_requests",
          "HTTP requests of the last run, retries included.",
          "",
          static_cast<double>(run.http.requests));
    gauge("tm_last_run_http_retries",
          "Retried HTTP requests in the last run.",
          "",
          static_cast<double>(run.http.retries));
    gauge("tm_last_run_rate_limit_waits",
          "Waits for a rate-limit token in the last run.",
          "",
          static_cast<double>(run.http.rate_limit_waits));
    gauge("tm_last_run_rate_limit_wait_seconds",
          "Time spent waiting for rate-limit tokens.",
          "",
          run.http.rate_limit_wait_seconds);
    gauge("tm_last_run_points_inserted",
          "Points the last run inserted.",
          "",
          static_cast<double>(run.points_inserted));
    gauge("tm_last_run_points_updated",
          "Points the last run changed.",
          "",
          static_cast<double>(run.points_updated));
    gauge("tm_last_run_errors",
          "Failed requests, assets or deliveries in the last run.",
          "",
          static_cast<double>(run.errors));
    if (run.newest_point_unix) {
        gauge("tm_feed_newest_point_timestamp_seconds",
              "Unix time of the newest point stored for the source.",
              "",
              *run.newest_point_unix);
    }
    if (run.max_age_seconds) {
        gauge("tm_feed_max_age_seconds",
              "Age at which the newest point counts as stale (the rules' staleness limit).",
              "",
              *run.max_age_seconds);
    }
    if (run.undelivered_events) {
        gauge("tm_alert_events_undelivered",
              "Alert events not yet delivered to every channel (retried by the next run).",
              "",
              static_cast<double>(*run.undelivered_events));
    }
    core::files::write_atomically(path, out);
}

} // namespace report
