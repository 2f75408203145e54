#pragma once

#include <tm/db/connection.hpp>
#include <tm/report/rows.hpp>

#include <cstdio>
#include <string>

namespace query {

// Runs one SELECT (tm query --sql) in a read-only transaction and writes its rows in `format`.
// Throws core::UsageError for anything that is not one query, or that the server rejects
// (syntax, unknown column, an attempted write).
long long
run_sql(db::Connection& conn, const std::string& sql, report::Format format, std::FILE* out);

} // namespace query
