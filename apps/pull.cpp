// tm-pull: take a current snapshot of one source and upsert it with the live policy.
#include <tm/cli/options.hpp>
#include <tm/jobs/pull.hpp>
#include <tm/sources/source.hpp>

#include <fmt/format.h>

int main(int argc, char** argv) {
    CLI::App app{"Take a current snapshot of a source and upsert it (latest value of each time "
                 "bucket wins; unchanged values are not rewritten)",
                 "tm-pull"};
    cli::CommonOptions common;
    cli::NetworkOptions network;
    cli::SelectionOptions selection;
    cli::add_common(app, common);
    cli::add_network(app, network);
    cli::add_selection(app, selection);
    jobs::PullOptions options;
    std::string bucket = "1h";
    app.add_option("source",
                   options.source,
                   fmt::format("Source: {}", fmt::join(sources::source_names(), ", ")))
        ->required();
    std::optional<std::string> every, duration;
    app.add_option("--every", every, "Repeat the snapshot at this interval (e.g. 5s), with --for");
    app.add_option(
        "--for", duration, "How long to keep repeating (e.g. 55s: within one cron minute)");
    app.add_option("--bucket",
                   bucket,
                   "Snapshot bucket: points without an API timestamp are stamped with "
                   "the pull time floored to it (e.g. 1h, 15m, 1d)");

    return cli::run_main(app, common, argc, argv, [&](report::RunMetrics& run) {
        options.db = common.db;
        options.bucket = cli::parse_duration_flag("--bucket", bucket);
        options.http = network.to_client_options();
        options.selection = selection.to_selection();
        options.args = cli::joined_args(argc, argv);
        if (every) {
            options.every = cli::parse_duration_flag("--every", *every);
        }
        if (duration) {
            options.duration = cli::parse_duration_flag("--for", *duration);
        }
        return jobs::run_pull(options, run);
    });
}
