#include <tm/cli/options.hpp>
#include <tm/core/log.hpp>
#include <tm/core/process.hpp>
#include <tm/core/secrets.hpp>
#include <tm/core/strings.hpp>
#include <tm/core/version.hpp>
#include <tm/report/metrics_file.hpp>

#include <fmt/format.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>

namespace cli {

core::Duration parse_duration_flag(const std::string& flag, const std::string& value) {
    // A bare number of seconds: finite (parse_double refuses nan and inf), at least a
    // microsecond, at most a century like every duration (no overflow of the count).
    constexpr double k_century_seconds = 36'525.0 * 86'400;
    if (auto seconds = core::strings::parse_double(value);
        seconds && *seconds >= 1e-6 && *seconds <= k_century_seconds) {
        return core::Duration{static_cast<long long>(*seconds * 1e6)};
    }
    if (auto d = core::parse_duration(value)) {
        return *d;
    }
    throw core::UsageError(
        fmt::format("{} '{}' is not a duration; use e.g. 30s, 5m, 1h", flag, value));
}

core::Time parse_time_flag(const std::string& flag, const std::string& value) {
    if (auto t = core::parse_time(value)) {
        return *t;
    }
    throw core::UsageError(
        fmt::format("{} '{}' is not a date; use YYYY-MM-DD (UTC) or ISO-8601", flag, value));
}

CLI::Validator finite_range(double min, double max) {
    return CLI::Validator(
        [min, max](std::string& input) -> std::string {
            const auto v = core::strings::parse_double(input);
            if (!v || *v < min || *v > max) {
                return fmt::format("'{}' is not a number from {} to {}", input, min, max);
            }
            return {};
        },
        fmt::format("NUMBER in [{} - {}]", min, max));
}

sources::Selection SelectionOptions::to_selection() const {
    sources::Selection s;
    s.config_file = config_file;
    // Repeatable flags that also take comma lists: --assets a,b --assets c. A flag given with
    // nothing in it is a mistake, not "everything".
    const auto items = [](const char* flag, const std::vector<std::string>& values) {
        std::vector<std::string> out;
        for (const auto& v : values) {
            for (auto& item : core::strings::split_list(v)) {
                out.push_back(std::move(item));
            }
        }
        if (!values.empty() && out.empty()) {
            throw core::UsageError(
                fmt::format("{} names nothing; give a comma list such as a,b", flag));
        }
        return out;
    };
    s.assets = items("--assets", assets);
    s.metrics = items("--metrics", metrics);
    s.dexes = items("--dex", dexes);
    s.top = top;
    s.min_pool_tvl = min_pool_tvl;
    s.batch_assets = batch_assets;
    s.batch_days = batch_days;
    s.interval = interval;
    return s;
}

void add_selection(CLI::App& app, SelectionOptions& o) {
    app.add_option("--config", o.config_file, "Asset selection file (e.g. config/defillama.csv)");
    app.add_option("--assets", o.assets, "Only these assets (comma list, repeatable)");
    app.add_option("--metrics", o.metrics, "Only these metrics (comma list, repeatable)");
    app.add_option("--top", o.top, "Assets per metric when the config names none (0 = all)")
        ->check(CLI::Range(0, 1'000'000));
    app.add_option("--min-pool-tvl",
                   o.min_pool_tvl,
                   "Yield pools below this TVL (USD) are left out unless named")
        ->check(finite_range(0, 1e15));
    app.add_option("--batch-assets",
                   o.batch_assets,
                   "Assets per request, for sources that batch them (Artemis)")
        ->check(CLI::Range(1, 1000));
    app.add_option(
           "--batch-days", o.batch_days, "Days per request, for sources that batch them (Artemis)")
        ->check(CLI::Range(1, 3660));
    app.add_option("--interval",
                   o.interval,
                   "Candle interval, for sources that keep candles (Binance klines)")
        ->check(CLI::IsMember({"1m",
                               "3m",
                               "5m",
                               "15m",
                               "30m",
                               "1h",
                               "2h",
                               "4h",
                               "6h",
                               "8h",
                               "12h",
                               "1d",
                               "3d",
                               "1w"}));
    app.add_option("--dex",
                   o.dexes,
                   "Hyperliquid builder-deployed perp dexes (HIP-3) to add, or 'all' (comma list, "
                   "repeatable; default TM_HYPERLIQUID_DEXES)");
}

http::ClientOptions NetworkOptions::to_client_options() const {
    using std::chrono::duration_cast;
    using std::chrono::milliseconds;
    if (record_dir && replay_dir) {
        throw core::UsageError(
            "--record and --replay cannot be combined; record once, replay later");
    }
    if (replay_dir && !std::filesystem::is_directory(*replay_dir)) {
        throw core::UsageError(fmt::format("--replay {}: no such directory", *replay_dir));
    }
    http::ClientOptions o;
    o.total_timeout = duration_cast<milliseconds>(parse_duration_flag("--timeout", timeout));
    o.connect_timeout =
        duration_cast<milliseconds>(parse_duration_flag("--connect-timeout", connect_timeout));
    o.retry.max_attempts = retries + 1;
    o.retry.base_delay =
        duration_cast<milliseconds>(parse_duration_flag("--retry-delay", retry_delay));
    o.max_in_flight = concurrency;
    o.max_body_bytes = static_cast<size_t>(max_body_mib) << 20;
    o.user_agent = fmt::format("tm/{}", core::version());
    o.rate_per_minute = rate_per_minute;
    o.record_dir = record_dir;
    o.replay_dir = replay_dir;
    // A stall shorter than the total timeout must not kill a slow but moving transfer.
    o.low_speed_time = std::min(o.low_speed_time,
                                std::chrono::duration_cast<std::chrono::seconds>(o.total_timeout)
                                    + std::chrono::seconds{1});
    return o;
}

void add_common(CLI::App& app, CommonOptions& o) {
    app.add_option("--db",
                   o.db,
                   "Database: postgresql:// URI or libpq conninfo (default: "
                   "TM_DATABASE_URL, DATABASE_URL, PG*, else the embedded cluster)");
    app.add_flag("-v,--verbose", o.verbose, "Log every request and step");
    app.add_flag("-q,--quiet", o.quiet, "Log warnings and errors only");
    app.add_option("--log-format", o.log_format, "Log line format on stderr")
        ->check(CLI::IsMember({"text", "json"}));
    app.add_option("--metrics-file",
                   o.metrics_file,
                   "Write the run's metrics to PATH (Prometheus textfile format; default: "
                   "$TM_METRICS_DIR/tm_COMMAND[_SOURCE].prom when set)");
    app.add_option("--ping",
                   o.ping,
                   "Ping URL/start before and URL/EXITCODE after the run (healthchecks.io style)");
    app.set_version_flag("--version", std::string(core::version()));
    // One line naming the problem and where the fix is (CLI11's default adds a second line).
    app.failure_message([](const CLI::App* a, const CLI::Error& e) {
        return fmt::format("{}: {} (see {} --help)\n", a->get_name(), e.what(), a->get_name());
    });
}

void add_network(CLI::App& app, NetworkOptions& o) {
    app.add_option("--record", o.record_dir, "Store every response (redacted) in DIR");
    app.add_option("--replay", o.replay_dir, "Serve every request from a --record DIR; no network");
    app.add_option("--timeout", o.timeout, "Total time limit per request (e.g. 120s)");
    app.add_option("--connect-timeout", o.connect_timeout, "Connect time limit per request");
    app.add_option("--retries",
                   o.retries,
                   "Retries of a failed request (connect errors, timeouts, 408/425/429/5xx)")
        ->check(CLI::Range(0, 20));
    app.add_option("--retry-delay", o.retry_delay, "Base of the exponential backoff (full jitter)");
    app.add_option("--concurrency", o.concurrency, "Requests in flight at once")
        ->check(CLI::Range(1, 64));
    app.add_option("--rate-limit",
                   o.rate_per_minute,
                   "Requests per minute per host, instead of the source's limits")
        ->check(finite_range(0.1, 1e6));
    app.add_option("--max-body", o.max_body_mib, "Largest response body accepted, in MiB")
        ->check(CLI::Range(1, 16384));
}

namespace {

double unix_now() {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// One healthchecks-style ping; a failed ping is a warning, never the run's outcome.
void ping(const std::string& url) {
    http::ClientOptions o;
    o.total_timeout = std::chrono::seconds{10};
    o.connect_timeout = std::chrono::seconds{5};
    o.retry.max_attempts = 2;
    o.retry.base_delay = std::chrono::milliseconds{200};
    o.user_agent = fmt::format("tm/{}", core::version());
    o.stop_on_signal = false; // the end ping reports an interrupted run too
    http::Client client(o);
    client.submit(http::get(url, "ping"), [](http::Response&& r) {
        if (!r.ok()) {
            core::log::warn("ping: {}", r.describe());
        }
    });
    client.run();
}

// TM_CHECK_ARGS: runs `body` until it would touch its database (core::ChecksPassed), so that
// names, files and folders are checked as well as the flags, and nothing is run, written or
// pinged. The metrics folder must exist and be writable: at install time that is a mistake to
// refuse, not a warning to give later.
int check_only(const CommonOptions& common, const Body& body, int usage_exit) {
    try {
        if (const auto folder = report::metrics_folder(common.metrics_file)) {
            const bool from_flag = common.metrics_file.has_value();
            if (!std::filesystem::is_directory(*folder)
                || ::access(folder->c_str(), W_OK | X_OK) != 0) {
                throw core::UsageError(fmt::format("{} {}: folder {} does not exist or is not "
                                                   "writable; create it for the metrics file",
                                                   from_flag ? "--metrics-file" : "TM_METRICS_DIR",
                                                   from_flag ? *common.metrics_file : *folder,
                                                   *folder));
            }
        }
        report::RunMetrics run;
        return static_cast<int>(body(run));
    } catch (const core::ChecksPassed&) {
        return 0;
    } catch (const core::Error& e) {
        core::log::error("{}", e.what());
        return e.code() == core::ExitCode::usage ? usage_exit : static_cast<int>(e.code());
    } catch (const std::exception& e) {
        core::log::error("{}", e.what());
        return static_cast<int>(core::ExitCode::failed);
    }
}

// Writes the run's metrics file, if one is asked for. A usage error writes none: nothing ran,
// and a mistyped command must not overwrite the file of the scheduled job it resembles. A file
// that cannot be written is a warning, and turns a run that otherwise succeeded into exit 3:
// monitoring must not go blind silently.
int write_metrics(const CommonOptions& common,
                  const std::string& command,
                  const report::RunMetrics& run,
                  int code,
                  double started) {
    if (run.outcome(code) == report::Result::usage) {
        return code;
    }
    const auto path = report::metrics_file_path(common.metrics_file, command, run.source);
    if (!path) {
        return code;
    }
    try {
        report::write_metrics_file(*path, command, run, code, started, unix_now());
    } catch (const std::exception& e) {
        core::log::warn("metrics file not written, monitoring cannot see this run: {}", e.what());
        if (code == static_cast<int>(core::ExitCode::ok)) {
            return static_cast<int>(core::ExitCode::partial);
        }
    }
    return code;
}

} // namespace

int run_main(CLI::App& app,
             const CommonOptions& common,
             int argc,
             char** argv,
             const Body& body,
             int usage_exit) {
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int code = app.exit(e);
        return code == 0 ? 0 : usage_exit;
    }
    core::log::configure(app.get_name(),
                         common.verbose ? core::log::Level::debug
                         : common.quiet ? core::log::Level::warn
                                        : core::log::Level::info,
                         common.log_format == "json" ? core::log::Format::json
                                                     : core::log::Format::text);
    // A --ping mistake would otherwise only show after the run: refuse it up front.
    if (common.ping && !common.ping->starts_with("http://")
        && !common.ping->starts_with("https://")) {
        core::log::error("--ping needs an http(s):// URL");
        return usage_exit;
    }
    if (core::process::check_only()) {
        return check_only(common, body, usage_exit);
    }
    std::string command = app.get_name();
    if (command.starts_with("tm-")) {
        command.erase(0, 3);
    }
    const double started = unix_now();
    if (common.ping) {
        core::secrets::add(*common.ping); // a ping URL is as good as a key
        ping(*common.ping + "/start");
    }
    int code = static_cast<int>(core::ExitCode::failed);
    report::RunMetrics run;
    try {
        code = static_cast<int>(body(run));
    } catch (const core::Error& e) {
        core::log::error("{}", e.what());
        code = static_cast<int>(e.code());
    } catch (const std::exception& e) {
        core::log::error("internal error: {}", e.what());
    }
    code = write_metrics(common, command, run, code, started);
    if (common.ping) {
        ping(fmt::format("{}/{}", *common.ping, code));
    }
    return code;
}

std::string joined_args(int argc, char** argv) {
    std::string out;
    for (int i = 1; i < argc; ++i) {
        if (i > 1) {
            out += ' ';
        }
        out += argv[i];
    }
    return out;
}

} // namespace cli
