// tm-detect: judge the anomaly rules over the stored data, open and resolve alerts, and notify
// Slack, a webhook and an alert log; or show what would happen (--dry-run) or would have
// happened (--backtest).
#include <tm/cli/options.hpp>
#include <tm/jobs/detect.hpp>

int main(int argc, char** argv) {
    CLI::App app{"Judge the anomaly rules, open and resolve alerts, and notify", "tm-detect"};
    cli::CommonOptions common;
    cli::NetworkOptions network;
    network.timeout = "30s";
    network.retries = 2;
    cli::add_common(app, common);
    cli::add_network(app, network);
    jobs::DetectOptions options;
    std::optional<std::string> since, until, lock_wait;
    bool csv = false;
    app.add_option("--rules",
                   options.rules_file,
                   "Rules file (TOML); default: the built-in config/rules.toml");
    app.add_option("--rule", options.only, "Only these rules (comma list, repeatable)")
        ->delimiter(',');
    app.add_flag(
        "--dry-run", options.dry_run, "Print what would open and resolve; store and send nothing");
    app.add_flag("--backtest",
                 options.backtest,
                 "Replay the rules over stored history and print when each would have fired");
    app.add_option("--since", since, "Backtest from this day or time (UTC)");
    app.add_option("--until", until, "Backtest until this day or time (default: now)");
    app.add_flag("--csv", csv, "Backtest report as CSV");
    app.add_option("--lock-wait",
                   lock_wait,
                   "How long to wait for another tm detect to finish (default 2m; 0: exit 5 at "
                   "once)");
    app.add_option("--alert-log",
                   options.alert_log,
                   "Append one line per alert event to FILE (created owner-only)");

    return cli::run_main(app, common, argc, argv, [&](report::RunMetrics& run) {
        options.db = common.db;
        options.http = network.to_client_options();
        if ((since || until || csv) && !options.backtest) {
            throw core::UsageError("--since, --until and --csv go with --backtest");
        }
        if (options.backtest && options.dry_run) {
            throw core::UsageError("--backtest never stores or sends anything; drop --dry-run");
        }
        if (lock_wait) {
            options.lock_wait = *lock_wait == "0"
                                    ? core::Duration{0}
                                    : cli::parse_duration_flag("--lock-wait", *lock_wait);
        }
        if (since) {
            options.since = cli::parse_time_flag("--since", *since);
        }
        if (until) {
            options.until = cli::parse_time_flag("--until", *until);
        }
        options.format = csv ? report::Format::csv : report::Format::table;
        return jobs::run_detect(options, run);
    });
}
