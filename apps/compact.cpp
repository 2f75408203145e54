// tm-compact: apply the retention policy (roll up raw points past their horizon, then free the
// months that held them), or rebuild the candles from the raw points (--rebuild-candles, a
// repair).
#include <tm/cli/options.hpp>
#include <tm/jobs/compact.hpp>

int main(int argc, char** argv) {
    CLI::App app{"Apply the retention policy: roll up raw points older than their horizon and "
                 "free the space they held; or rebuild the candles (--rebuild-candles)",
                 "tm-compact"};
    cli::CommonOptions common;
    cli::add_common(app, common);
    jobs::CompactOptions o;
    app.add_option("--config",
                   o.config,
                   "Retention policy (TOML); default: the built-in config/retention.toml");
    app.add_flag("--rebuild-candles",
                 o.rebuild,
                 "Rebuild the hourly and daily candles from the raw points instead (repair); "
                 "buckets whose raw points retention removed are kept");
    app.add_option("--source", o.source, "With --rebuild-candles: only this source's candles");
    return cli::run_main(app, common, argc, argv, [&](report::RunMetrics&) {
        o.db = common.db;
        return jobs::run_compact(o);
    });
}
