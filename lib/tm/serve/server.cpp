#include <tm/core/log.hpp>
#include <tm/core/strings.hpp>
#include <tm/db/migrate.hpp>
#include <tm/db/target.hpp>
#include <tm/query/feed_status.hpp>
#include <tm/query/views.hpp>
#include <tm/rules/rules_file.hpp>
#include <tm/serve/server.hpp>
#include <tm/sources/source.hpp>

#include <fmt/format.h>

#include <httplib.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <thread>

namespace serve {
namespace {

// A request the client got wrong: answered with its status and {"error": message}.
struct BadRequest {
    int status;
    std::string message;
};

void send_json(httplib::Response& res, int status, const std::string& body) {
    res.status = status;
    res.set_content(body, "application/json");
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

class Server {
public:
    explicit Server(const ServeOptions& o)
        : m_options(o), m_target(db::select_target(o.db, db::Role::reader)),
          m_limits(query::feed_limits(rules::load_rules(o.rules_file))) {
        // Fails early (exit 2 or 4) on a bad address, an unreachable server or an old schema.
        db::Connection conn = db::connect(m_target);
        db::require_schema(conn);
    }

    void routes(httplib::Server& http) {
        http.Get("/health",
                 [this](const auto& req, auto& res) { handle(req, res, &Server::health); });
        http.Get("/protocols",
                 [this](const auto& req, auto& res) { handle(req, res, &Server::protocols); });
        http.Get(R"(/protocols/([^/]+)/history)", [this](const auto& req, auto& res) {
            handle(req, res, &Server::protocol_history);
        });
        http.Get("/alerts",
                 [this](const auto& req, auto& res) { handle(req, res, &Server::alerts); });
        http.Get("/series",
                 [this](const auto& req, auto& res) { handle(req, res, &Server::series); });
        http.Get("/metrics",
                 [this](const auto& req, auto& res) { handle(req, res, &Server::metrics); });
        http.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
            if (res.body.empty()) {
                send_error(res,
                           res.status,
                           res.status == 404 ? fmt::format("no such endpoint: {}", req.path)
                                             : fmt::format("HTTP {}", res.status));
            }
        });
    }

private:
    using Handler = void (Server::*)(db::Connection&, const httplib::Request&, httplib::Response&);

    // Each request: its own connection, a read-only transaction and a statement time limit.
    void handle(const httplib::Request& req, httplib::Response& res, Handler handler) {
        try {
            db::Connection conn = db::connect(m_target);
            db::Transaction tx(conn, db::Access::read_only);
            conn.exec("SET LOCAL statement_timeout = '15s'");
            (this->*handler)(conn, req, res);
        } catch (const BadRequest& e) {
            send_error(res, e.status, e.message);
        } catch (const core::UsageError& e) {
            send_error(res, 400, e.what());
        } catch (const db::Unreachable& e) {
            send_error(res, 503, "database unreachable");
            core::log::error("{}", e.what());
        } catch (const std::exception& e) {
            send_error(res, 500, "internal error");
            core::log::error("{} {}: {}", req.method, req.path, e.what());
        }
        core::log::debug("{} {} {}", req.method, req.path, res.status);
    }

    // The rows of `view` as a JSON array.
    std::string rows_json(db::Connection& conn, query::View view, const query::Filter& f) {
        char* buffer = nullptr;
        size_t size = 0;
        std::FILE* out = open_memstream(&buffer, &size);
        try {
            query::run(conn, view, f, report::Format::json, out);
        } catch (...) {
            std::fclose(out);
            std::free(buffer);
            throw;
        }
        std::fclose(out);
        std::string body(buffer, size);
        std::free(buffer);
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

    void health(db::Connection& conn, const httplib::Request&, httplib::Response& res) {
        const auto r = conn.exec("SELECT (SELECT max(version) FROM schema_migrations), now()");
        send_json(res,
                  200,
                  fmt::format("{{\"status\":\"ok\",\"database\":\"reachable\",\"schema\":{}}}\n",
                              r.get(0, 0)));
    }

    void protocols(db::Connection& conn, const httplib::Request& req, httplib::Response& res) {
        auto f = filter(req);
        f.source = "defillama";
        f.kind = "protocol";
        send_json(res, 200, rows_json(conn, query::View::latest, f));
    }

    void
    protocol_history(db::Connection& conn, const httplib::Request& req, httplib::Response& res) {
        auto f = filter(req);
        const std::string slug = req.matches[1];
        const long long days = int_param(req, "days", 30, 1, 3650);
        f.source = "defillama";
        f.kind = "protocol";
        f.assets = {slug};
        f.since = core::Clock::now() - days * std::chrono::days{1};
        if (conn.exec("SELECT 1 FROM series WHERE source = 'defillama' AND kind = 'protocol' AND "
                      "asset = $1 LIMIT 1",
                      {slug})
                .rows()
            == 0) {
            throw BadRequest{404, fmt::format("no protocol '{}'", slug)};
        }
        query::check_filter(conn, f);
        send_json(res, 200, rows_json(conn, query::View::history, f));
    }

    void alerts(db::Connection& conn, const httplib::Request& req, httplib::Response& res) {
        auto f = filter(req);
        f.status = req.has_param("status") ? req.get_param_value("status") : "open";
        if (f.status != "open" && f.status != "resolved" && f.status != "all") {
            throw BadRequest{400, "status must be open, resolved or all"};
        }
        send_json(res, 200, rows_json(conn, query::View::alerts, f));
    }

    void series(db::Connection& conn, const httplib::Request& req, httplib::Response& res) {
        auto f = filter(req);
        query::check_filter(conn, f);
        send_json(res, 200, rows_json(conn, query::View::series, f));
    }

    // Prometheus exposition: feed health per source, open alerts, database size.
    void metrics(db::Connection& conn, const httplib::Request&, httplib::Response& res) {
        const auto feeds = query::feed_status(conn, core::Clock::now(), m_limits);
        std::string out =
            "# HELP tm_up 1 while tm serve can read its database.\n# TYPE tm_up gauge\ntm_up 1\n"
            "# HELP tm_feed_health 0 OK, 1 WARNING, 2 CRITICAL (as tm status).\n# TYPE "
            "tm_feed_health gauge\n";
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
                           conn.exec("SELECT pg_database_size(current_database())").get_int(0, 0));
        res.status = 200;
        res.set_content(out, "text/plain; version=0.0.4");
    }

    ServeOptions m_options;
    db::Target m_target;
    query::FeedLimits m_limits;
};

} // namespace

core::ExitCode run_server(const ServeOptions& o) {
    Server server(o);
    httplib::Server http;
    server.routes(http);
    // Signals go to one thread that stops the server; the others never see them.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGTERM);
    sigaddset(&stop_signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
    if (!http.bind_to_port(o.host, o.port)) {
        throw core::UsageError(fmt::format("cannot listen on {}:{} (in use, or not an address of "
                                           "this machine); choose another with --listen",
                                           o.host,
                                           o.port));
    }
    std::atomic<bool> stopping = false;
    std::thread stopper([&] {
        int signal = 0;
        sigwait(&stop_signals, &signal);
        stopping = true;
        core::log::info("{}: finishing the requests in flight, then stopping", strsignal(signal));
        http.stop();
    });
    core::log::info("listening on http://{}:{} (read-only; max {} rows per response)",
                    o.host,
                    o.port,
                    o.max_rows);
    const bool clean = http.listen_after_bind();
    if (!stopping) {
        pthread_kill(stopper.native_handle(),
                     SIGTERM); // the server ended on its own: wake the stopper
    }
    stopper.join();
    if (!clean && !stopping) {
        throw core::Error("the HTTP server stopped unexpectedly");
    }
    core::log::info("stopped");
    return core::ExitCode::ok;
}

} // namespace serve
