#include <tm/query/sql.hpp>

#include <fmt/format.h>

#include <cctype>

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

} // namespace

long long
run_sql(db::Connection& conn, const std::string& sql, report::Format format, std::FILE* out) {
    std::string body(sql);
    while (!body.empty()
           && (body.back() == ';' || std::isspace(static_cast<unsigned char>(body.back())))) {
        body.pop_back();
    }
    // As a subquery it must be exactly one query; the transaction makes any write fail.
    const std::string wrapped = fmt::format("SELECT * FROM ({}\n) AS q", body);
    db::Transaction tx(conn);
    conn.exec("SET TRANSACTION READ ONLY");
    std::vector<report::Column> columns;
    try {
        const auto shape = conn.exec(wrapped + " LIMIT 0");
        for (int c = 0; c < shape.columns(); ++c) {
            columns.push_back({shape.column_name(c), type_of(PQftype(shape.raw(), c))});
        }
    } catch (const db::DbError& e) {
        if (e.code() == core::ExitCode::db_unreachable) {
            throw;
        }
        throw core::UsageError(fmt::format("--sql: {}", e.what()));
    }
    return report::write_rows(conn, wrapped, {}, columns, format, out);
}

} // namespace query
