#include <tm/query/sql.hpp>

#include <fmt/format.h>

namespace query {
namespace {

// PostgreSQL type oids written as numbers or booleans; everything else is text.
report::Type type_of(Oid oid) {
    switch (oid) {
    case 16:
        return report::Type::flag; // bool
    case 20:                       // int8
    case 21:                       // int2
    case 23:                       // int4
        return report::Type::count;
    case 700: // float4
    case 701: // float8
    case 1700:
        return report::Type::number; // numeric
    default:
        return report::Type::text;
    }
}

// Refuses a role that could write: user SQL runs as a role with SELECT only (defence in depth
// behind the read-only transaction and the one-statement protocol).
void require_read_only_role(db::Connection& conn) {
    const auto r = conn.exec(R"(
        SELECT current_user,
               concat_ws(', ',
                   CASE WHEN rolsuper THEN 'superuser' END,
                   CASE WHEN pg_has_role(current_user, 'pg_execute_server_program', 'MEMBER')
                        THEN 'pg_execute_server_program' END,
                   CASE WHEN pg_has_role(current_user, 'pg_write_server_files', 'MEMBER')
                        THEN 'pg_write_server_files' END,
                   CASE WHEN pg_has_role(current_user, 'pg_read_server_files', 'MEMBER')
                        THEN 'pg_read_server_files' END,
                   (SELECT format('write access to %s%s', min(c.relname),
                                  CASE WHEN count(*) > 1
                                       THEN format(' and %s more tables', count(*) - 1) END)
                      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                     WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'm')
                       AND has_table_privilege(c.oid, 'INSERT, UPDATE, DELETE, TRUNCATE')
                    HAVING count(*) > 0))
          FROM pg_roles WHERE rolname = current_user)");
    if (r.rows() == 1 && !r.get(0, 1).empty()) {
        throw core::UsageError(
            fmt::format("--sql runs only as a read-only role, and {} has {}; connect as tm_reader "
                        "(TM_DATABASE_URL_READER; see tm setup --print-roles-sql)",
                        r.get(0, 0),
                        r.get(0, 1)));
    }
}

// What a statement must not change in the session it runs in. A change is rolled back with the
// transaction anyway; noticing it makes the run fail instead of pretending all was well.
constexpr const char* k_session_state =
    "SELECT concat_ws(' ', current_user, session_user, "
    "current_setting('transaction_read_only'), current_setting('default_transaction_read_only'), "
    "current_setting('statement_timeout'), current_setting('search_path'), "
    "current_setting('role'), current_setting('session_authorization')), "
    "(SELECT count(*) FROM pg_locks WHERE pid = pg_backend_pid() AND locktype = 'advisory')";

} // namespace

long long run_sql(db::Connection& conn, const SqlOptions& o, std::FILE* out) {
    require_read_only_role(conn);
    db::Transaction tx(conn, db::Access::read_only);
    conn.exec(
        "SELECT set_config('statement_timeout', $1, true)",
        {fmt::format(
            "{}ms",
            std::chrono::duration_cast<std::chrono::milliseconds>(o.statement_timeout).count())});
    const auto before = conn.exec(k_session_state);
    std::vector<report::Column> columns;
    try {
        for (const auto& c : conn.prepare(o.sql)) {
            columns.push_back({c.name, type_of(c.type)});
        }
    } catch (const db::DbError& e) {
        if (e.code() == core::ExitCode::db_unreachable) {
            throw;
        }
        throw core::UsageError(fmt::format("--sql: {}", e.server_message()));
    }
    if (columns.empty()) {
        throw core::UsageError("--sql takes one query that returns rows (SELECT, VALUES, TABLE or "
                               "WITH … SELECT); nothing was run");
    }
    long long rows = 0;
    try {
        rows = report::write_rows(
            [&](const report::OnRow& on_row) { return conn.stream_prepared(on_row); },
            columns,
            o.format,
            o.csv_safe,
            out);
    } catch (const db::DbError& e) {
        if (e.code() == core::ExitCode::db_unreachable) {
            throw;
        }
        // Refused while running (a write, a privilege, division by zero) or out of time: failed.
        throw core::Error(e.sqlstate() == "57014"
                              ? fmt::format("--sql: cancelled after the statement timeout ({})",
                                            core::format_duration(o.statement_timeout))
                              : fmt::format("--sql: {}", e.server_message()));
    }
    if (PQtransactionStatus(conn.raw()) != PQTRANS_INTRANS) {
        throw core::Error("--sql: the statement ended the read-only transaction; refused");
    }
    const auto after = conn.exec(k_session_state);
    if (after.get(0, 0) != before.get(0, 0) || after.get(0, 1) != before.get(0, 1)) {
        throw core::Error("--sql: the statement changed the session (a setting, the role or an "
                          "advisory lock); refused, and nothing of it was kept");
    }
    return rows;
}

} // namespace query
