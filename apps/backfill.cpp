// tm-backfill: load history for a date range, resumable, never overwriting live values.
#include <tm/cli/options.hpp>
#include <tm/core/log.hpp>
#include <tm/jobs/backfill.hpp>
#include <tm/sources/source.hpp>

#include <fmt/format.h>

#include <cstdlib>

int main(int argc, char** argv) {
    CLI::App app{"Load a source's history (complete UTC days), resumable after a kill; existing "
                 "points are kept unless --overwrite",
                 "tm-backfill"};
    cli::CommonOptions common;
    cli::NetworkOptions network;
    cli::SelectionOptions selection;
    cli::add_common(app, common);
    cli::add_network(app, network);
    cli::add_selection(app, selection);
    jobs::BackfillOptions options;
    std::optional<std::string> since, until;
    app.add_option("source",
                   options.source,
                   fmt::format("Source: {}", fmt::join(sources::source_names(), ", ")))
        ->required();
    app.add_option("--since", since, "First day to keep (YYYY-MM-DD, UTC; default: all history)");
    app.add_option("--until", until, "Last day to keep (YYYY-MM-DD, UTC; default: yesterday)");
    app.add_flag(
        "--overwrite", options.overwrite, "Replace stored values that differ (corrected history)");
    app.add_flag("--restart",
                 options.restart,
                 "Ignore the progress of earlier runs and fetch everything again");

    return cli::run_main(app, common, argc, argv, [&](report::RunMetrics& run) {
        options.db = common.db;
        options.http = network.to_client_options();
        options.selection = selection.to_selection();
        if (since) {
            options.since = cli::parse_time_flag("--since", *since);
        }
        if (until) {
            options.until = cli::parse_time_flag("--until", *until);
        }
        // On a terminal a status line; off one (cron, systemd) a log line every 30 s, or
        // every TM_PROGRESS_INTERVAL.
        options.progress = common.quiet                      ? jobs::ProgressMode::off
                           : core::log::stderr_is_terminal() ? jobs::ProgressMode::terminal
                                                             : jobs::ProgressMode::periodic;
        if (const char* every = std::getenv("TM_PROGRESS_INTERVAL"); every != nullptr) {
            options.progress_interval = std::chrono::duration_cast<std::chrono::milliseconds>(
                cli::parse_duration_flag("TM_PROGRESS_INTERVAL", every));
        }
        options.args = cli::joined_args(argc, argv);
        return jobs::run_backfill(options, run);
    });
}
