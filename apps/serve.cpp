// tm-serve: read-only JSON over HTTP for apps and dashboards — /protocols,
// /protocols/{slug}/history, /alerts, /series, /health — and Prometheus /metrics.
#include <tm/cli/options.hpp>
#include <tm/core/strings.hpp>
#include <tm/serve/server.hpp>

#include <fmt/format.h>

int main(int argc, char** argv) {
    CLI::App app{"Read-only JSON over HTTP (/protocols, /protocols/{slug}/history, /alerts, "
                 "/series, /health) and Prometheus /metrics",
                 "tm-serve"};
    cli::CommonOptions common;
    cli::add_common(app, common);
    serve::ServeOptions options;
    std::string listen = "127.0.0.1:8080";
    app.add_option(
        "--listen", listen, "HOST:PORT to listen on (default 127.0.0.1:8080: this machine only)");
    app.add_option(
           "--max-rows", options.max_rows, "Most rows one response lists (and the top of ?limit=)")
        ->check(CLI::Range(1LL, 1'000'000LL));
    app.add_option(
        "--rules", options.rules_file, "Rules file whose staleness rule has the schedules");
    return cli::run_main(app, common, argc, argv, [&] {
        const auto colon = listen.rfind(':');
        const auto port = colon == std::string::npos
                              ? std::nullopt
                              : core::strings::parse_int(listen.substr(colon + 1));
        if (!port || *port < 1 || *port > 65535 || colon == 0) {
            throw core::UsageError(
                fmt::format("--listen {}: expected HOST:PORT, e.g. 127.0.0.1:8080", listen));
        }
        options.host = listen.substr(0, colon);
        options.port = static_cast<int>(*port);
        options.db = common.db;
        return serve::run_server(options);
    });
}
