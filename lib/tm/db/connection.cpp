#include <tm/core/secrets.hpp>
#include <tm/core/strings.hpp>
#include <tm/db/connection.hpp>

#include <fmt/format.h>

#include <cstdlib>
#include <regex>

namespace db {
namespace {

std::string first_line(std::string_view text) {
    text = core::strings::trim(text);
    const size_t nl = text.find('\n');
    return std::string(core::strings::trim(text.substr(0, nl)));
}

// libpq's view of text parameters: a C string each, or a null pointer for SQL NULL.
std::vector<const char*> pointers(const Params& params) {
    std::vector<const char*> values;
    values.reserve(params.size());
    for (const auto& p : params) {
        values.push_back(p ? p->c_str() : nullptr);
    }
    return values;
}

bool is_connection_state(std::string_view sqlstate) {
    // 08: connection exception; 57P01-57P03: server shutting down or not accepting.
    return sqlstate.starts_with("08") || sqlstate == "57P01" || sqlstate == "57P02"
           || sqlstate == "57P03";
}

} // namespace

DbError::DbError(const std::string& message,
                 std::string sqlstate,
                 core::ExitCode code,
                 std::string server_message)
    : core::Error(message, code), m_sqlstate(std::move(sqlstate)),
      m_server_message(std::move(server_message)) {}

long long Result::get_int(int row, int col) const {
    return core::strings::parse_int(get(row, col)).value_or(0);
}

double Result::get_double(int row, int col) const {
    return core::strings::parse_double(get(row, col)).value_or(0);
}

long long Result::affected() const {
    const char* n = PQcmdTuples(m_result.get());
    return n != nullptr && *n != '\0' ? std::atoll(n) : 0;
}

std::string describe_target(const std::string& conninfo) {
    char* error = nullptr;
    PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &error);
    if (options == nullptr) {
        PQfreemem(error);
        return core::secrets::redact(conninfo);
    }
    std::string out;
    for (const std::string_view wanted : {"host", "hostaddr", "port", "user", "dbname"}) {
        for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
            if (o->val != nullptr && *o->val != '\0' && wanted == o->keyword) {
                out += fmt::format("{}{}={}", out.empty() ? "" : " ", wanted, o->val);
            }
        }
    }
    PQconninfoFree(options);
    if (out.empty()) {
        out = "libpq defaults (PG* environment)";
    }
    return core::secrets::redact(out);
}

void validate_conninfo(const std::string& conninfo, std::string_view origin) {
    char* error = nullptr;
    PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &error);
    if (options == nullptr) {
        const std::string why = error != nullptr ? first_line(error) : "unparseable";
        PQfreemem(error);
        throw core::UsageError(core::secrets::redact(fmt::format(
            "{} is not a valid database address ({}); use postgresql://user@host/dbname or "
            "'host=... dbname=...'",
            origin,
            why)));
    }
    PQconninfoFree(options);
}

Connection::Connection(const std::string& conninfo)
    : m_conn(PQconnectdb(conninfo.c_str()), &PQfinish), m_target(describe_target(conninfo)) {
    if (!m_conn || PQstatus(m_conn.get()) != CONNECTION_OK) {
        const std::string why = m_conn ? first_line(PQerrorMessage(m_conn.get())) : "out of memory";
        throw Unreachable(core::secrets::redact(
            fmt::format("cannot connect to the database ({}): {}", m_target, why)));
    }
    PQsetNoticeProcessor(
        m_conn.get(), [](void*, const char*) {}, nullptr);
    // Values and timestamps travel as text in UTC whatever the server's defaults are. No JIT:
    // tm's statements walk indexes over what they need, and the planner's cost estimates for
    // them on a large store pass the JIT thresholds, so compiling took 1.2 s of the nightly
    // export's 2 s (20M points) and saved nothing.
    exec("SET TIME ZONE 'UTC'; SET datestyle = 'ISO'; SET extra_float_digits = 1; SET jit = off");
}

void Connection::fail(const std::string& context, PGresult* result) {
    std::string sqlstate;
    std::string message = first_line(PQerrorMessage(m_conn.get()));
    if (result != nullptr) {
        if (const char* s = PQresultErrorField(result, PG_DIAG_SQLSTATE)) {
            sqlstate = s;
        }
        if (const char* m = PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY)) {
            message = m;
        }
    }
    const bool lost = PQstatus(m_conn.get()) != CONNECTION_OK || is_connection_state(sqlstate);
    if (lost) {
        throw DbError(core::secrets::redact(
                          fmt::format("lost the database connection ({}): {}", m_target, message)),
                      sqlstate,
                      core::ExitCode::db_unreachable);
    }
    throw DbError(core::secrets::redact(fmt::format("{}: {}", context, message)),
                  sqlstate,
                  core::ExitCode::failed,
                  core::secrets::redact(message));
}

Result Connection::check(PGresult* r, const std::string& sql) {
    Result result(r);
    const auto status = PQresultStatus(r);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK && status != PGRES_COPY_IN
        && status != PGRES_COPY_OUT) {
        const std::string head = first_line(sql).substr(0, 60);
        fail(fmt::format("database error in \"{}…\"", head), r);
    }
    return result;
}

Result Connection::exec(const std::string& sql) {
    return check(PQexec(m_conn.get(), sql.c_str()), sql);
}

Result Connection::exec(const std::string& sql, const Params& params) {
    const auto values = pointers(params);
    return check(PQexecParams(m_conn.get(),
                              sql.c_str(),
                              static_cast<int>(values.size()),
                              nullptr,
                              values.data(),
                              nullptr,
                              nullptr,
                              0),
                 sql);
}

long long Connection::copy_out(const std::string& query,
                               const Params& params,
                               const std::string& options,
                               const std::function<void(std::string_view)>& on_chunk) {
    std::string sql;
    static const std::regex k_placeholder(R"(\$([0-9]+))");
    std::sregex_iterator it(query.begin(), query.end(), k_placeholder), end;
    size_t last = 0;
    for (; it != end; ++it) {
        sql.append(query, last, static_cast<size_t>(it->position()) - last);
        const std::string n = (*it)[1];
        sql += fmt::format("(CASE current_setting('tm.null{0}') WHEN '1' THEN NULL ELSE "
                           "current_setting('tm.p{0}') END)",
                           n);
        last = static_cast<size_t>(it->position() + it->length());
    }
    sql.append(query, last);
    for (size_t i = 0; i < params.size(); ++i) {
        exec("SELECT set_config($1, coalesce($3, ''), true), set_config($2, CASE WHEN $3 IS NULL "
             "THEN '1' ELSE '0' END, true)",
             {fmt::format("tm.p{}", i + 1), fmt::format("tm.null{}", i + 1), params[i]});
    }
    check(PQexec(m_conn.get(), fmt::format("COPY ({}) TO STDOUT WITH ({})", sql, options).c_str()),
          query);
    std::optional<std::string> error;
    for (;;) {
        char* buffer = nullptr;
        const int n = PQgetCopyData(m_conn.get(), &buffer, 0);
        if (n < 0) {
            break;
        }
        if (!error) {
            try {
                on_chunk(std::string_view(buffer, static_cast<size_t>(n)));
            } catch (const std::exception& e) {
                error = e.what(); // keep reading: the connection must reach the end of the COPY
            }
        }
        PQfreemem(buffer);
    }
    const Result result = check(PQgetResult(m_conn.get()), query);
    while (PGresult* extra = PQgetResult(m_conn.get())) {
        PQclear(extra);
    }
    if (error) {
        throw core::Error(*error);
    }
    return result.affected();
}

long long Connection::stream(const std::string& sql,
                             const Params& params,
                             const std::function<void(const Result&, int)>& on_row) {
    const auto values = pointers(params);
    if (PQsendQueryParams(m_conn.get(),
                          sql.c_str(),
                          static_cast<int>(values.size()),
                          nullptr,
                          values.data(),
                          nullptr,
                          nullptr,
                          0)
        != 1) {
        fail("cannot send the query");
    }
    return receive_rows(on_row);
}

std::vector<ResultColumn> Connection::prepare(const std::string& sql) {
    check(PQprepare(m_conn.get(), "", sql.c_str(), 0, nullptr), sql);
    const Result described = check(PQdescribePrepared(m_conn.get(), ""), sql);
    std::vector<ResultColumn> columns;
    for (int c = 0; c < described.columns(); ++c) {
        columns.push_back({described.column_name(c), PQftype(described.raw(), c)});
    }
    return columns;
}

long long Connection::stream_prepared(const std::function<void(const Result&, int)>& on_row) {
    if (PQsendQueryPrepared(m_conn.get(), "", 0, nullptr, nullptr, nullptr, 0) != 1) {
        fail("cannot send the query");
    }
    return receive_rows(on_row);
}

long long Connection::receive_rows(const std::function<void(const Result&, int)>& on_row) {
    if (PQsetSingleRowMode(m_conn.get()) != 1) {
        fail("cannot send the query");
    }
    long long rows = 0;
    std::optional<std::string> error;
    PGresult* failed = nullptr;
    while (PGresult* r = PQgetResult(m_conn.get())) {
        const auto status = PQresultStatus(r);
        if (status == PGRES_SINGLE_TUPLE) {
            Result row(r);
            if (!error) {
                try {
                    on_row(row, 0);
                } catch (const std::exception& e) {
                    // Keep draining: the connection must reach the end of the result.
                    error = e.what();
                }
            }
            ++rows;
        } else if (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK) {
            PQclear(r);
        } else if (failed == nullptr) {
            failed = r;
        } else {
            PQclear(r);
        }
    }
    if (failed != nullptr) {
        Result holder(failed);
        fail("database error in a query", failed);
    }
    if (error) {
        throw core::Error(*error);
    }
    return rows;
}

void Connection::begin_copy(const std::string& copy_sql) {
    Result r = check(PQexec(m_conn.get(), copy_sql.c_str()), copy_sql);
    if (PQresultStatus(r.raw()) != PGRES_COPY_IN) {
        fail("COPY did not start");
    }
}

void Connection::put_copy_data(std::string_view chunk) {
    if (PQputCopyData(m_conn.get(), chunk.data(), static_cast<int>(chunk.size())) != 1) {
        fail("COPY failed");
    }
}

long long Connection::end_copy() {
    if (PQputCopyEnd(m_conn.get(), nullptr) != 1) {
        fail("COPY failed");
    }
    long long rows = 0;
    while (PGresult* r = PQgetResult(m_conn.get())) {
        Result result(r);
        if (PQresultStatus(r) != PGRES_COMMAND_OK) {
            // Drain the remaining results before reporting, so the connection stays usable.
            while (PGresult* rest = PQgetResult(m_conn.get())) {
                PQclear(rest);
            }
            fail("COPY failed", r);
        }
        rows += result.affected();
    }
    return rows;
}

long long Connection::copy_in(const std::string& copy_sql, std::string_view data) {
    begin_copy(copy_sql);
    constexpr size_t chunk = size_t{1} << 20;
    for (size_t pos = 0; pos < data.size(); pos += chunk) {
        put_copy_data(data.substr(pos, chunk));
    }
    return end_copy();
}

Transaction::Transaction(Connection& conn, Access access) : m_conn(conn) {
    m_conn.exec(access == Access::read_only    ? "BEGIN READ ONLY"
                : access == Access::read_write ? "BEGIN READ WRITE"
                                               : "BEGIN");
}

Transaction::~Transaction() {
    if (!m_done && m_conn.alive()) {
        PQclear(PQexec(m_conn.raw(), "ROLLBACK"));
    }
}

void Transaction::commit() {
    m_conn.exec("COMMIT");
    m_done = true;
}

std::string array_literal(const std::vector<std::string>& values) {
    std::string out = "{";
    for (size_t i = 0; i < values.size(); ++i) {
        if (i > 0) {
            out += ',';
        }
        out += '"';
        for (const char c : values[i]) {
            if (c == '"' || c == '\\') {
                out += '\\';
            }
            out += c;
        }
        out += '"';
    }
    out += '}';
    return out;
}

} // namespace db
