// tm-backfill: load history for a date range, resumable, never overwriting live values.
#include <tm/cli/options.hpp>
#include <tm/jobs/backfill.hpp>
#include <tm/sources/source.hpp>

#include <fmt/format.h>

#include <unistd.h>

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

    return cli::run_main(app, common, argc, argv, [&] {
        options.db = common.db;
        options.http = network.to_client_options();
        options.selection = selection.to_selection();
        if (since) {
            options.since = cli::parse_time_flag("--since", *since);
        }
        if (until) {
            options.until = cli::parse_time_flag("--until", *until);
        }
        options.progress = !common.quiet && ::isatty(STDERR_FILENO) != 0;
        options.args = cli::joined_args(argc, argv);
        return jobs::run_backfill(options);
    });
}
