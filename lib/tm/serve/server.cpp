#include <tm/core/log.hpp>
#include <tm/core/strings.hpp>
#include <tm/db/migrate.hpp>
#include <tm/db/target.hpp>
#include <tm/query/feed_status.hpp>
#include <tm/query/views.hpp>
#include <tm/rules/rules_file.hpp>
#include <tm/serve/dashboard.hpp>
#include <tm/serve/db_pool.hpp>
#include <tm/serve/html.hpp>
#include <tm/serve/http_server.hpp>
#include <tm/serve/server.hpp>
#include <tm/sources/source.hpp>

#include <fmt/format.h>

#include <netdb.h>
#include <sys/resource.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <regex>
#include <span>
#include <thread>

namespace serve {

// The dashboard's files (lib/tm/serve/static/ and Debian's libjs-dygraphs), built in.
namespace static_files {
std::string_view dygraph_js();
std::string_view dygraph_css();
std::string_view tm_css();
std::string_view tm_js();
} // namespace static_files

namespace {

// A request the client got wrong: answered with its status and {"error": message}.
struct BadRequest {
    int status;
    std::string message;
};

void send_json(httplib::Response& res, int status, std::string body) {
    res.status = status;
    res.body = std::move(body); // set_content would copy it
    res.headers.erase("Content-Type");
    res.set_header("Content-Type", "application/json");
}

void send_error(httplib::Response& res, int status, const std::string& message) {
    send_json(
        res, status, fmt::format("{{\"error\":\"{}\"}}\n", core::strings::json_escape(message)));
}

// A whole number from `lo` to `hi`, or the default when the parameter is absent.
long long int_param(
    const httplib::Request& req, const char* name, long long fallback, long long lo, long long hi) {
    if (!req.has_param(name)) {
        return fallback;
    }
    const auto v = core::strings::parse_int(req.get_param_value(name));
    if (!v || *v < lo || *v > hi) {
        throw BadRequest{400, fmt::format("{} must be a whole number from {} to {}", name, lo, hi)};
    }
    return *v;
}

// True for the errors that mean the database cannot be read at all: down, restarting, lost.
bool database_down(const std::exception& e) {
    if (dynamic_cast<const db::Unreachable*>(&e) != nullptr) {
        return true;
    }
    const auto* d = dynamic_cast<const db::DbError*>(&e);
    return d != nullptr && d->code() == core::ExitCode::db_unreachable;
}

// Paging: `limit` rows from `offset`. A full page links to the next one (RFC 8288 Link,
// rel="next": the same request with the offset moved on), so the body stays a plain array.
void page(const httplib::Request& req, query::Filter& f) {
    f.offset = int_param(req, "offset", 0, 0, 1'000'000'000);
}

void link_next(const httplib::Request& req,
               httplib::Response& res,
               const query::Filter& f,
               long long rows) {
    if (rows < *f.limit) {
        return;
    }
    std::string url = html::url_encode(req.path, "/");
    char separator = '?';
    for (const auto& [key, value] : req.params) {
        if (key != "limit" && key != "offset") {
            url +=
                fmt::format("{}{}={}", separator, html::url_encode(key), html::url_encode(value));
            separator = '&';
        }
    }
    url += fmt::format("{}limit={}&offset={}", separator, *f.limit, *f.offset + *f.limit);
    res.set_header("Link", fmt::format("<{}>; rel=\"next\"", url));
}

struct StaticFile {
    std::string_view name;
    std::string_view (*body)();
    std::string_view type;
};
constexpr StaticFile k_static_files[] = {
    {"dygraph.min.js", &static_files::dygraph_js, "text/javascript; charset=utf-8"},
    {"dygraph.css", &static_files::dygraph_css, "text/css; charset=utf-8"},
    {"tm.css", &static_files::tm_css, "text/css; charset=utf-8"},
    {"tm.js", &static_files::tm_js, "text/javascript; charset=utf-8"},
};

// Headers of everything the dashboard sends: only tm serve's own scripts, styles and images.
void dashboard_headers(httplib::Response& res) {
    res.set_header("Content-Security-Policy", std::string(html::content_security_policy()));
    res.set_header("X-Content-Type-Options", "nosniff");
    res.set_header("Referrer-Policy", "no-referrer");
}

void send_html(httplib::Response& res, int status, std::string body) {
    res.status = status;
    res.body = std::move(body);
    res.headers.erase("Content-Type");
    res.set_header("Content-Type", "text/html; charset=utf-8");
    res.set_header("Cache-Control", "no-cache");
    dashboard_headers(res);
}

std::optional<std::string> param(const httplib::Request& req, const char* name) {
    if (!req.has_param(name) || req.get_param_value(name).empty()) {
        return std::nullopt;
    }
    return req.get_param_value(name);
}

class Server {
public:
    using Handler = void (Server::*)(const httplib::Request&, httplib::Response&);
    // What a route answers: the JSON API (described in openapi.json), a dashboard page (HTML),
    // or one of the dashboard's static files.
    enum class Kind { api, page, file };
    // One route. Every route answers GET (and HEAD).
    struct Route {
        std::string_view path;    // as the OpenAPI description writes it (pages: alike)
        std::string_view pattern; // the regular expression httplib matches the path against
        Handler handler;
        Kind kind = Kind::api;
    };
    static std::span<const Route> all_routes();

    Server(const ServeOptions& o, std::size_t db_connections)
        : m_options(o), m_pool(db::select_target(o.db, db::Role::reader), db_connections),
          m_limits(query::feed_limits(rules::load_rules(o.rules_file))),
          m_started(std::chrono::system_clock::now()) {
        // Fails early (exit 2 or 4) on a bad address, an unreachable server or an old schema.
        m_pool.run([](db::Connection& conn) { db::require_schema(conn); });
        for (const Route& r : all_routes()) {
            m_patterns.emplace_back(std::string(r.pattern));
        }
    }

    void routes(HttpServer& http) {
        m_http = &http;
        for (const Route& r : all_routes()) {
            http.Get(std::string(r.pattern),
                     [this, &r](const auto& req, auto& res) { answer(r, req, res); });
        }
        // The API only reads: any other method on an endpoint is 405, with the methods it takes.
        // Answered before httplib reads a body (it would refuse a POST without a length).
        http.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
            if (req.method == "GET" || req.method == "HEAD") {
                return httplib::Server::HandlerResponse::Unhandled;
            }
            if (std::none_of(m_patterns.begin(), m_patterns.end(), [&](const std::regex& p) {
                    return std::regex_match(req.path, p);
                })) {
                send_error(res, 404, fmt::format("no such endpoint: {}", req.path));
            } else {
                res.set_header("Allow", "GET, HEAD");
                send_error(res, 405, fmt::format("{} is read-only: use GET", req.path));
            }
            return httplib::Server::HandlerResponse::Handled;
        });
        http.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
            if (res.body.empty()) {
                send_error(res,
                           res.status,
                           res.status == 404 ? fmt::format("no such endpoint: {}", req.path)
                                             : fmt::format("HTTP {}", res.status));
            }
        });
        http.set_logger([this](const httplib::Request& req, const httplib::Response& res) {
            if (res.status >= 100 && res.status < static_cast<int>(m_responses.size())) {
                ++m_responses[static_cast<std::size_t>(res.status)];
            }
            core::log::debug("{} {} {}", req.method, req.path, res.status);
        });
    }

private:
    void answer(const Route& route, const httplib::Request& req, httplib::Response& res) {
        const auto started = std::chrono::steady_clock::now();
        // Errors are JSON for the API and a page for a browser.
        const auto fail = [&](int status, const std::string& message) {
            if (route.kind == Kind::api) {
                send_error(res, status, message);
            } else {
                send_html(res, status, error_page(status, message, core::Clock::now()));
            }
        };
        try {
            (this->*route.handler)(req, res);
        } catch (const BadRequest& e) {
            fail(e.status, e.message);
        } catch (const NotFound& e) {
            fail(404, e.message);
        } catch (const core::UsageError& e) {
            fail(400, e.what());
        } catch (const std::exception& e) {
            const auto* d = dynamic_cast<const db::DbError*>(&e);
            if (database_down(e)) {
                fail(503, "database unreachable");
                core::log::error("{}", e.what());
            } else if (d != nullptr && d->sqlstate() == "57014") {
                fail(503, "the query took longer than 15 s; ask for less (limit, days)");
                core::log::warn("{} {}: {}", req.method, req.path, e.what());
            } else {
                fail(500, "internal error");
                core::log::error("{} {}: {}", req.method, req.path, e.what());
            }
        }
        // The time tm serve spent (queries included), for browsers' developer tools and the
        // benchmark.
        res.set_header("Server-Timing",
                       fmt::format("app;dur={:.1f}",
                                   std::chrono::duration<double, std::milli>(
                                       std::chrono::steady_clock::now() - started)
                                       .count()));
    }

    // The rows of `view` as a JSON array; `rows` is how many.
    std::string rows_json(db::Connection& conn,
                          query::View view,
                          const query::Filter& f,
                          long long* rows = nullptr) {
        char* buffer = nullptr;
        size_t size = 0;
        std::FILE* out = open_memstream(&buffer, &size);
        long long n = 0;
        try {
            n = query::run(conn, view, f, report::Format::json, out);
        } catch (...) {
            std::fclose(out);
            std::free(buffer);
            throw;
        }
        std::fclose(out);
        std::string body(buffer, size);
        std::free(buffer);
        if (rows != nullptr) {
            *rows = n;
        }
        return body;
    }

    query::Filter filter(const httplib::Request& req) {
        query::Filter f;
        f.limit = int_param(
            req, "limit", std::min<long long>(1000, m_options.max_rows), 1, m_options.max_rows);
        if (req.has_param("source")) {
            f.source = req.get_param_value("source");
            sources::require_source(*f.source); // a UsageError: 400
        }
        if (req.has_param("metric")) {
            f.metric = req.get_param_value("metric");
        }
        return f;
    }

    void health(const httplib::Request&, httplib::Response& res) {
        std::string schema;
        try {
            m_pool.run([&](db::Connection& conn) {
                schema = conn.exec("SELECT max(version) FROM schema_migrations").get(0, 0);
            });
        } catch (const std::exception& e) {
            if (!database_down(e)) {
                throw;
            }
            core::log::warn("{}", e.what());
            send_json(res, 503, "{\"status\":\"unavailable\",\"database\":\"unreachable\"}\n");
            return;
        }
        send_json(res,
                  200,
                  fmt::format("{{\"status\":\"ok\",\"database\":\"reachable\",\"schema\":{}}}\n",
                              schema));
    }

    // The newest value of each protocol series, one page at a time, by slug and metric.
    void protocols(const httplib::Request& req, httplib::Response& res) {
        auto f = filter(req);
        page(req, f);
        f.source = "defillama";
        f.kind = "protocol";
        long long rows = 0;
        m_pool.run([&](db::Connection& conn) {
            query::check_filter(conn, f);
            send_json(res, 200, rows_json(conn, query::View::latest, f, &rows));
        });
        link_next(req, res, f, rows);
    }

    void protocol_history(const httplib::Request& req, httplib::Response& res) {
        auto f = filter(req);
        page(req, f);
        const std::string slug = req.matches[1];
        const long long days = int_param(req, "days", 30, 1, 3650);
        f.source = "defillama";
        f.kind = "protocol";
        f.assets = {slug};
        f.since = core::Clock::now() - days * std::chrono::days{1};
        long long rows = 0;
        m_pool.run([&](db::Connection& conn) {
            if (conn.exec("SELECT 1 FROM series WHERE source = 'defillama' AND kind = 'protocol' "
                          "AND asset = $1 LIMIT 1",
                          {slug})
                    .rows()
                == 0) {
                throw BadRequest{404, fmt::format("no protocol '{}'", slug)};
            }
            query::check_filter(conn, f);
            send_json(res, 200, rows_json(conn, query::View::history, f, &rows));
        });
        link_next(req, res, f, rows);
    }

    void alerts(const httplib::Request& req, httplib::Response& res) {
        auto f = filter(req);
        f.status = req.has_param("status") ? req.get_param_value("status") : "open";
        if (f.status != "open" && f.status != "resolved" && f.status != "all") {
            throw BadRequest{400, "status must be open, resolved or all"};
        }
        m_pool.run([&](db::Connection& conn) {
            send_json(res, 200, rows_json(conn, query::View::alerts, f));
        });
    }

    void series(const httplib::Request& req, httplib::Response& res) {
        auto f = filter(req);
        m_pool.run([&](db::Connection& conn) {
            query::check_filter(conn, f);
            send_json(res, 200, rows_json(conn, query::View::series, f));
        });
    }

    // --- the dashboard (serve/dashboard.hpp) ---

    // Runs `render` on a pooled connection and sends its page.
    void html_page(httplib::Response& res,
                   const std::function<std::string(db::Connection&, core::Time)>& render) {
        const auto now = core::Clock::now();
        std::string body;
        m_pool.run([&](db::Connection& conn) { body = render(conn, now); });
        send_html(res, 200, std::move(body));
    }

    void overview(const httplib::Request&, httplib::Response& res) {
        html_page(res, [&](db::Connection& conn, core::Time now) {
            return overview_page(conn, now, m_limits);
        });
    }

    void defi(const httplib::Request&, httplib::Response& res) {
        html_page(res, [](db::Connection& conn, core::Time now) { return defi_page(conn, now); });
    }

    void chart(const httplib::Request& req, httplib::Response& res) {
        ChartRequest r;
        r.source = param(req, "source");
        r.asset = param(req, "asset");
        r.kind = param(req, "kind");
        r.metric = param(req, "metric");
        r.window = parse_window(param(req, "range"), param(req, "from"), param(req, "to"));
        html_page(res,
                  [&](db::Connection& conn, core::Time now) { return chart_page(conn, now, r); });
    }

    void entity(const httplib::Request& req, httplib::Response& res) {
        const std::string name = req.matches[1];
        const Window w = parse_window(param(req, "range"), param(req, "from"), param(req, "to"));
        html_page(res, [&](db::Connection& conn, core::Time now) {
            return entity_page(conn, now, name, w);
        });
    }

    void journal(const httplib::Request& req, httplib::Response& res) {
        JournalRequest r;
        r.source = param(req, "source");
        if (r.source) {
            sources::require_source(*r.source);
        }
        html_page(res,
                  [&](db::Connection& conn, core::Time now) { return journal_page(conn, now, r); });
    }

    void file(const httplib::Request& req, httplib::Response& res) {
        const std::string name = req.matches[1];
        for (const auto& f : k_static_files) {
            if (f.name == name) {
                res.status = 200;
                res.body = std::string(f.body());
                res.set_header("Content-Type", std::string(f.type));
                res.set_header("Cache-Control", "public, max-age=3600");
                dashboard_headers(res);
                return;
            }
        }
        throw BadRequest{404, fmt::format("no such file: {}", req.path)};
    }

    void openapi(const httplib::Request&, httplib::Response& res) {
        send_json(res, 200, std::string(openapi_json()));
    }

    // Prometheus exposition. It answers 200 even when the database is down (tm_up 0, and what
    // tm serve knows of itself), so Prometheus keeps scraping and alerts on tm_up rather than
    // marking the target down.
    void metrics(const httplib::Request&, httplib::Response& res) {
        std::string database;
        bool up = true;
        try {
            m_pool.run([&](db::Connection& conn) { database = database_metrics(conn); });
        } catch (const std::exception& e) {
            up = false;
            core::log::warn("/metrics: {}", e.what());
        }
        std::string out =
            fmt::format("# HELP tm_up 1 while tm serve can read its database, 0 when it cannot.\n"
                        "# TYPE tm_up gauge\ntm_up {}\n",
                        up ? 1 : 0);
        out += up ? database : "";
        out += own_metrics();
        res.status = 200;
        res.set_content(out, "text/plain; version=0.0.4");
    }

    // Feed health per source, open alerts, database size.
    std::string database_metrics(db::Connection& conn) {
        const auto feeds = query::feed_status(conn, core::Clock::now(), m_limits);
        std::string out = "# HELP tm_feed_health 0 OK, 1 WARNING, 2 CRITICAL (as tm status).\n"
                          "# TYPE tm_feed_health gauge\n";
        for (const auto& f : feeds) {
            out += fmt::format(
                "tm_feed_health{{source=\"{}\"}} {}\n", f.source, static_cast<int>(f.health));
        }
        out += "# HELP tm_feed_newest_point_age_seconds Age of the source's newest point.\n"
               "# TYPE tm_feed_newest_point_age_seconds gauge\n";
        for (const auto& f : feeds) {
            if (f.age_seconds) {
                out += fmt::format("tm_feed_newest_point_age_seconds{{source=\"{}\"}} {:.0f}\n",
                                   f.source,
                                   *f.age_seconds);
            }
        }
        out += "# HELP tm_series Series stored per source.\n# TYPE tm_series gauge\n";
        for (const auto& f : feeds) {
            out += fmt::format("tm_series{{source=\"{}\"}} {}\n", f.source, f.series);
        }
        out += "# HELP tm_alerts_open Open alerts per source.\n# TYPE tm_alerts_open gauge\n";
        for (const auto& f : feeds) {
            out += fmt::format("tm_alerts_open{{source=\"{}\"}} {}\n", f.source, f.open_alerts);
        }
        out += fmt::format("# HELP tm_database_size_bytes Size of the database.\n# TYPE "
                           "tm_database_size_bytes gauge\n"
                           "tm_database_size_bytes {}\n",
                           query::database_size(conn));
        return out;
    }

    // What tm serve knows without its database.
    std::string own_metrics() {
        std::string out = fmt::format(
            "# HELP tm_serve_start_time_seconds When this tm serve started (Unix time).\n"
            "# TYPE tm_serve_start_time_seconds gauge\ntm_serve_start_time_seconds {}\n"
            "# HELP tm_serve_http_connections Open HTTP connections, idle ones included.\n"
            "# TYPE tm_serve_http_connections gauge\ntm_serve_http_connections {}\n"
            "# HELP tm_serve_database_connections Open pooled database connections.\n"
            "# TYPE tm_serve_database_connections gauge\ntm_serve_database_connections {}\n"
            "# HELP tm_serve_responses_total HTTP responses sent, by status code.\n"
            "# TYPE tm_serve_responses_total counter\n",
            std::chrono::duration_cast<std::chrono::seconds>(m_started.time_since_epoch()).count(),
            m_http != nullptr ? m_http->open_connections() : 0,
            m_pool.open());
        for (std::size_t code = 0; code < m_responses.size(); ++code) {
            if (const auto n = m_responses[code].load(); n > 0) {
                out += fmt::format("tm_serve_responses_total{{code=\"{}\"}} {}\n", code, n);
            }
        }
        return out;
    }

    ServeOptions m_options;
    DbPool m_pool;
    query::FeedLimits m_limits;
    std::chrono::system_clock::time_point m_started;
    std::vector<std::regex> m_patterns;
    HttpServer* m_http = nullptr;
    std::array<std::atomic<unsigned long long>, 600> m_responses{};
};

std::span<const Server::Route> Server::all_routes() {
    static const Route routes[] = {
        {"/health", "/health", &Server::health},
        {"/protocols", "/protocols", &Server::protocols},
        {"/protocols/{slug}/history", R"(/protocols/([^/]+)/history)", &Server::protocol_history},
        {"/alerts", "/alerts", &Server::alerts},
        {"/series", "/series", &Server::series},
        {"/metrics", "/metrics", &Server::metrics},
        {"/openapi.json", R"(/openapi\.json)", &Server::openapi},
        // The dashboard: HTML pages, outside the API description.
        {"/", "/", &Server::overview, Kind::page},
        {"/defi", "/defi", &Server::defi, Kind::page},
        {"/chart", "/chart", &Server::chart, Kind::page},
        {"/entity/{entity}", R"(/entity/([^/]+))", &Server::entity, Kind::page},
        {"/journal", "/journal", &Server::journal, Kind::page},
        {"/static/{file}", R"(/static/([A-Za-z0-9_.-]+))", &Server::file, Kind::file},
    };
    return routes;
}

// Raises the open-file limit to its ceiling (each connection holds a descriptor) and returns
// how many connections fit, keeping `reserved` descriptors for everything else.
std::size_t connection_limit(std::size_t reserved) {
    rlimit r{};
    if (getrlimit(RLIMIT_NOFILE, &r) != 0) {
        return 1000;
    }
    if (r.rlim_cur < r.rlim_max) {
        r.rlim_cur = std::min<rlim_t>(r.rlim_max, 65536);
        setrlimit(RLIMIT_NOFILE, &r);
        getrlimit(RLIMIT_NOFILE, &r);
    }
    const auto fds = static_cast<std::size_t>(std::min<rlim_t>(r.rlim_cur, 65536));
    return std::clamp<std::size_t>(fds > reserved ? fds - reserved : 0, 16, 10'000);
}

// "::1", "fe80::1%eth0" (a scope is allowed); not names, not IPv4.
bool is_ipv6_literal(const std::string& host) {
    addrinfo hints{};
    hints.ai_family = AF_INET6;
    hints.ai_flags = AI_NUMERICHOST;
    addrinfo* found = nullptr;
    if (host.empty() || getaddrinfo(host.c_str(), nullptr, &hints, &found) != 0) {
        return false;
    }
    freeaddrinfo(found);
    return true;
}

std::string url_host(const std::string& host) {
    return host.find(':') != std::string::npos ? fmt::format("[{}]", host) : host;
}

} // namespace

ListenAddress parse_listen(std::string_view text) {
    const auto bad = [&](std::string_view why) {
        return core::UsageError(fmt::format(
            "--listen {}: {}; expected HOST:PORT or [IPV6]:PORT, e.g. 127.0.0.1:8080 or [::1]:8080",
            text,
            why));
    };
    ListenAddress a;
    std::string_view port;
    if (text.starts_with('[')) {
        const auto close = text.find(']');
        if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
            throw bad("a bracketed IPv6 address needs ]:PORT after it");
        }
        a.host = std::string(text.substr(1, close - 1));
        if (!is_ipv6_literal(a.host)) {
            throw bad(fmt::format("'{}' is not an IPv6 address", a.host));
        }
        port = text.substr(close + 2);
    } else {
        const auto colon = text.rfind(':');
        if (colon == std::string_view::npos || colon == 0) {
            throw bad("no host");
        }
        a.host = std::string(text.substr(0, colon));
        if (a.host.find(':') != std::string::npos) {
            throw bad("an IPv6 address goes in brackets");
        }
        port = text.substr(colon + 1);
    }
    const auto p = core::strings::parse_int(port);
    if (!p || *p < 1 || *p > 65535) {
        throw bad(fmt::format("'{}' is not a port from 1 to 65535", port));
    }
    a.port = static_cast<int>(*p);
    return a;
}

std::vector<std::string> route_paths() {
    std::vector<std::string> out;
    for (const auto& r : Server::all_routes()) {
        if (r.kind == Server::Kind::api) {
            out.emplace_back(r.path);
        }
    }
    return out;
}

std::vector<std::string> page_paths() {
    std::vector<std::string> out;
    for (const auto& r : Server::all_routes()) {
        if (r.kind != Server::Kind::api) {
            out.emplace_back(r.path);
        }
    }
    return out;
}

core::ExitCode run_server(const ServeOptions& o) {
    // Requests mostly wait on PostgreSQL, so a few more workers than cores; each holds at most
    // one pooled connection, so the pool is as large.
    const std::size_t workers =
        std::clamp<std::size_t>(2 * std::max(1U, std::thread::hardware_concurrency()), 4, 32);
    Server server(o, workers);
    HttpLimits limits;
    limits.workers = workers;
    limits.idle_timeout = std::chrono::seconds(o.idle_timeout_s);
    limits.max_connections = connection_limit(workers + 64);
    HttpServer http(limits);
    server.routes(http);
    // Signals go to one thread that stops the server; the others never see them.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGTERM);
    sigaddset(&stop_signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
    const std::string where = fmt::format("{}:{}", url_host(o.listen.host), o.listen.port);
    if (!http.listen_on(o.listen.host, o.listen.port)) {
        throw core::UsageError(fmt::format(
            "cannot listen on {} (in use, or not an address of this machine); choose another "
            "with --listen",
            where));
    }
    std::atomic<bool> stopping = false;
    std::thread stopper([&] {
        int signal = 0;
        sigwait(&stop_signals, &signal);
        if (!stopping.exchange(true)) {
            core::log::info("{}: finishing the requests in flight, then stopping",
                            strsignal(signal));
        }
        http.stop_serving();
    });
    core::log::info(
        "listening on http://{} (read-only; max {} rows per response; {} workers, up to {} "
        "connections)",
        where,
        o.max_rows,
        workers,
        limits.max_connections);
    try {
        http.serve();
    } catch (...) {
        stopping = true;
        pthread_kill(stopper.native_handle(), SIGTERM); // wake the stopper
        stopper.join();
        throw;
    }
    stopper.join();
    core::log::info("stopped");
    return core::ExitCode::ok;
}

} // namespace serve
