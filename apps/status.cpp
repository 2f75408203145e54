// tm-status: the health of every feed for people and monitoring: one line per source, and the
// monitoring-plugin exit codes (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN).
#include <tm/cli/options.hpp>
#include <tm/jobs/status.hpp>

#include <fmt/format.h>

int main(int argc, char** argv) {
    CLI::App app{"Health of every feed: last pull, newest point against its schedule, points, "
                 "open alerts; exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN",
                 "tm-status"};
    cli::CommonOptions common;
    cli::add_common(app, common);
    jobs::StatusOptions options;
    std::vector<std::string> max_age;
    app.add_flag("--json", options.json, "One JSON object instead of text");
    app.add_option("--max-age",
                   max_age,
                   "SOURCE=DURATION: stale after this (default: 3x its schedule in the rules' "
                   "staleness rule)");
    app.add_option(
        "--rules", options.rules_file, "Rules file whose staleness rule has the schedules");
    // Monitoring plugins answer UNKNOWN (3), not 2, to bad arguments: 2 means CRITICAL here.
    constexpr int k_unknown = 3;
    return cli::run_main(
        app,
        common,
        argc,
        argv,
        [&](report::RunMetrics& run) {
            for (const auto& item : max_age) {
                const auto eq = item.find('=');
                const auto age = eq == std::string::npos
                                     ? std::nullopt
                                     : core::parse_duration(item.substr(eq + 1));
                if (!age || eq == 0 || age->count() <= 0) {
                    return static_cast<core::ExitCode>(jobs::report_usage_error(
                        fmt::format("--max-age {}: expected SOURCE=DURATION, e.g. defillama=3h",
                                    item),
                        options.json,
                        stdout,
                        run));
                }
                options.max_age[item.substr(0, eq)] = *age;
            }
            options.db = common.db;
            return static_cast<core::ExitCode>(jobs::run_status(options, stdout, run));
        },
        k_unknown);
}
