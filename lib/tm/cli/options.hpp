#pragma once

#include <tm/core/error.hpp>
#include <tm/core/time.hpp>
#include <tm/http/client.hpp>
#include <tm/report/metrics_file.hpp>
#include <tm/sources/selection.hpp>

#include <CLI/CLI.hpp>

#include <functional>
#include <optional>
#include <string>

namespace cli {

// Flags every command takes: database, logging.
struct CommonOptions {
    std::optional<std::string> db;
    bool verbose = false;
    bool quiet = false;
    std::string log_format = "text";
    std::optional<std::string> metrics_file; // --metrics-file (or TM_METRICS_DIR)
    std::optional<std::string> ping;         // --ping URL: healthchecks-style start/end pings
};

// Flags of every command that talks to an upstream API.
struct NetworkOptions {
    std::optional<std::string> record_dir;
    std::optional<std::string> replay_dir;
    std::string timeout = "120s";
    std::string connect_timeout = "10s";
    int retries = 4;
    std::string retry_delay = "500ms";
    int concurrency = 8;
    int max_body_mib = 512;
    std::optional<double> rate_per_minute;

    // Throws core::UsageError naming the flag for a malformed value.
    http::ClientOptions to_client_options() const;
};

// Flags that choose what a source pulls: --config, --assets, --metrics, --top, --min-pool-tvl,
// --dex.
struct SelectionOptions {
    std::optional<std::string> config_file;
    std::vector<std::string> assets;
    std::vector<std::string> metrics;
    std::optional<int> top;
    double min_pool_tvl = 1'000'000;
    int batch_assets = 50;
    int batch_days = 365;
    std::string interval = "1d";
    std::vector<std::string> dexes;

    sources::Selection to_selection() const;
};

void add_common(CLI::App& app, CommonOptions& options);
void add_selection(CLI::App& app, SelectionOptions& options);
void add_network(CLI::App& app, NetworkOptions& options);

// The check of a flag that takes a number: finite and within [min, max]. CLI::Range lets nan
// through (every comparison with it is false), so `--rate-limit nan` turned rate limiting off.
CLI::Validator finite_range(double min, double max);

// Parses a date or time flag ("2021-01-01", "2021-01-01T12:00Z"). Throws core::UsageError
// naming `flag`.
core::Time parse_time_flag(const std::string& flag, const std::string& value);

// Parses a duration flag ("90s", "5m", "1h30m"; a bare number means seconds). Throws
// core::UsageError naming `flag`.
core::Duration parse_duration_flag(const std::string& flag, const std::string& value);

// The work of a command after its flags are parsed. It fills in `run` as it learns what it did
// (source, requests, points, errors): the figures of the metrics file, passed rather than kept in
// a global, as ccache returns its counters by value.
using Body = std::function<core::ExitCode(report::RunMetrics& run)>;

// The one catch site of a program (ARCHITECTURE §7): parses `argv`, configures logging, pings
// --ping URL/start, runs `body`, maps what it throws to an exit code, writes the metrics file
// (none after a usage error; exit 3 instead of 0 when it cannot be written) and pings
// URL/EXITCODE. CLI11 parse errors exit `usage_exit` (2; tm status uses the monitoring plugins'
// 3) and --help exits 0. With TM_CHECK_ARGS set, `body` runs only up to its database
// (core::ChecksPassed): exit 0 when everything checked before that is right.
int run_main(CLI::App& app,
             const CommonOptions& common,
             int argc,
             char** argv,
             const Body& body,
             int usage_exit = static_cast<int>(core::ExitCode::usage));

// The command line as one string, for the pulls journal.
std::string joined_args(int argc, char** argv);

} // namespace cli
