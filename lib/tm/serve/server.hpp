#pragma once

#include <tm/core/error.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

// tm serve: read-only JSON over HTTP for apps and dashboards (seed 000's API), Prometheus
// metrics, and a dashboard of HTML pages (serve/dashboard.hpp). The queries are tm query's
// (query/views.hpp).
namespace serve {

struct ListenAddress {
    std::string host = "127.0.0.1"; // a name, an IPv4 address or an IPv6 address (no brackets)
    int port = 8080;
};

// Reads --listen: HOST:PORT, or [IPV6]:PORT ("[::1]:8080"). Throws core::UsageError with one
// line naming the expected form.
ListenAddress parse_listen(std::string_view text);

struct ServeOptions {
    std::optional<std::string> db;
    ListenAddress listen;
    long long max_rows = 10'000;           // no response lists more rows
    std::optional<std::string> rules_file; // schedules for /metrics' feed health
    int idle_timeout_s = 60;               // keep-alive connections without a request
};

// The endpoints of the JSON API as the OpenAPI description writes them
// ("/protocols/{slug}/history").
std::vector<std::string> route_paths();

// The dashboard's pages and files ("/", "/chart", "/entity/{entity}", "/static/{file}"): HTML
// for browsers, not part of the API description.
std::vector<std::string> page_paths();

// The OpenAPI 3.1 description served at /openapi.json (lib/tm/serve/openapi.json).
std::string_view openapi_json();

// Serves until SIGTERM or SIGINT, then finishes the requests in flight and returns 0. Throws
// core::UsageError when it cannot listen.
core::ExitCode run_server(const ServeOptions& options);

} // namespace serve
