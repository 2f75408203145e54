#pragma once

#include <tm/core/error.hpp>

#include <libpq-fe.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace db {

// A failed statement. Keeps the SQLSTATE so callers can tell a unique violation (23505) from a
// lost connection (08xxx, which maps to exit code 4).
class DbError : public core::Error {
public:
    DbError(const std::string& message,
            std::string sqlstate,
            core::ExitCode code,
            std::string server_message = {});
    const std::string& sqlstate() const { return m_sqlstate; }
    // The server's own one-line message, without tm's context (redacted).
    const std::string& server_message() const { return m_server_message; }

private:
    std::string m_sqlstate;
    std::string m_server_message;
};

// The database cannot be reached at all. Exit code 4.
class Unreachable : public core::Error {
public:
    explicit Unreachable(const std::string& message)
        : core::Error(message, core::ExitCode::db_unreachable) {}
};

class Result {
public:
    explicit Result(PGresult* r) : m_result(r, &PQclear) {}
    int rows() const { return PQntuples(m_result.get()); }
    int columns() const { return PQnfields(m_result.get()); }
    bool is_null(int row, int col) const { return PQgetisnull(m_result.get(), row, col) != 0; }
    std::string_view get(int row, int col) const {
        return {PQgetvalue(m_result.get(), row, col),
                static_cast<size_t>(PQgetlength(m_result.get(), row, col))};
    }
    long long get_int(int row, int col) const;
    double get_double(int row, int col) const;
    std::string column_name(int col) const { return PQfname(m_result.get(), col); }
    // Rows affected by INSERT/UPDATE/DELETE, from the command tag.
    long long affected() const;
    PGresult* raw() const { return m_result.get(); }

private:
    std::unique_ptr<PGresult, decltype(&PQclear)> m_result;
};

// Parameters are sent as text; nullopt is SQL NULL.
using Params = std::vector<std::optional<std::string>>;

// A result column as the server describes it.
struct ResultColumn {
    std::string name;
    Oid type = 0;
};

class Connection {
public:
    // Connects with a libpq conninfo string or URI. Throws Unreachable (exit 4) with one
    // line naming the redacted target when the server cannot be reached.
    explicit Connection(const std::string& conninfo);

    Result exec(const std::string& sql);
    Result exec(const std::string& sql, const Params& params);

    // Runs `sql` and calls `on_row(result, row)` for each row as it arrives (libpq single-row
    // mode), so a large result never sits in memory whole. Returns the rows seen.
    long long stream(const std::string& sql,
                     const Params& params,
                     const std::function<void(const Result&, int)>& on_row);

    // Parses `sql` as the unnamed prepared statement (the extended protocol takes exactly one
    // statement and never runs it here) and returns the columns it would return: none for a
    // statement that returns no rows. Throws DbError when the server refuses it.
    std::vector<ResultColumn> prepare(const std::string& sql);
    // Runs the unnamed prepared statement without parameters, like stream().
    long long stream_prepared(const std::function<void(const Result&, int)>& on_row);

    // Streams `data` (already in the COPY format the statement names) through `copy_sql`
    // ("COPY t FROM STDIN ..."), in chunks. Returns the rows copied.
    long long copy_in(const std::string& copy_sql, std::string_view data);
    // Runs `query` with `params` as COPY (query) TO STDOUT WITH (`options`) and hands each chunk
    // of output to `on_chunk` as it arrives (constant memory). COPY takes no bind parameters,
    // so each $N of `query` (which must carry an explicit cast) reads a transaction-local
    // setting that was itself set through a bound parameter: no value is ever spliced into SQL.
    // Must run inside a transaction. Returns the rows copied.
    long long copy_out(const std::string& query,
                       const Params& params,
                       const std::string& options,
                       const std::function<void(std::string_view)>& on_chunk);
    // Starts a COPY FROM STDIN; feed it with put_copy_data and close it with end_copy.
    void begin_copy(const std::string& copy_sql);
    void put_copy_data(std::string_view chunk);
    long long end_copy();

    PGconn* raw() const { return m_conn.get(); }
    bool alive() const { return PQstatus(m_conn.get()) == CONNECTION_OK; }
    int backend_pid() const { return PQbackendPID(m_conn.get()); }

private:
    [[noreturn]] void fail(const std::string& context, PGresult* result = nullptr);
    // Reads the results of a query sent in single-row mode, calling `on_row` for each row.
    long long receive_rows(const std::function<void(const Result&, int)>& on_row);
    Result check(PGresult* r, const std::string& sql);

    std::unique_ptr<PGconn, decltype(&PQfinish)> m_conn;
    std::string m_target; // redacted, for messages
};

// How a transaction starts: as the role's default, or explicitly read-only or read-write (a
// read-only role may still write its own temporary tables in a read-write transaction).
enum class Access { by_default, read_only, read_write };

// BEGIN on construction; ROLLBACK on destruction unless commit() was called.
class Transaction {
public:
    explicit Transaction(Connection& conn, Access access = Access::by_default);
    ~Transaction();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    void commit();

private:
    Connection& m_conn;
    bool m_done = false;
};

// Formats `values` as a PostgreSQL array literal ({"a","b"}) for a text[] parameter.
std::string array_literal(const std::vector<std::string>& values);

// A short human description of `conninfo` with any password masked: "host=/x dbname=tm".
std::string describe_target(const std::string& conninfo);

// Throws core::UsageError unless `conninfo` parses as a libpq conninfo string or URI.
void validate_conninfo(const std::string& conninfo, std::string_view origin);

} // namespace db
