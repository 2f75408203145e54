// tm-serve: read-only JSON over HTTP for apps and dashboards — /protocols,
// /protocols/{slug}/history, /alerts, /series, /health, /openapi.json —, Prometheus /metrics and
// a dashboard for browsers at /.
#include <tm/cli/options.hpp>
#include <tm/serve/server.hpp>

int main(int argc, char** argv) {
    CLI::App app{"Read-only JSON over HTTP (/protocols, /protocols/{slug}/history, /alerts, "
                 "/series, /health, /openapi.json), Prometheus /metrics, and a dashboard for "
                 "browsers at / (/defi, /chart, /entity/NAME, /journal)",
                 "tm-serve"};
    cli::CommonOptions common;
    cli::add_common(app, common);
    serve::ServeOptions options;
    std::string listen = "127.0.0.1:8080";
    app.add_option("--listen",
                   listen,
                   "HOST:PORT or [IPV6]:PORT to listen on (default 127.0.0.1:8080: this machine "
                   "only)");
    app.add_option(
           "--max-rows", options.max_rows, "Most rows one response lists (and the top of ?limit=)")
        ->check(CLI::Range(1LL, 1'000'000LL));
    app.add_option("--idle-timeout",
                   options.idle_timeout_s,
                   "Seconds a keep-alive connection may wait without a request (default 60)")
        ->check(CLI::Range(1, 3600));
    app.add_option(
        "--rules", options.rules_file, "Rules file whose staleness rule has the schedules");
    return cli::run_main(app, common, argc, argv, [&](report::RunMetrics&) {
        options.listen = serve::parse_listen(listen);
        options.db = common.db;
        return serve::run_server(options);
    });
}
