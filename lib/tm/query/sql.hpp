#pragma once

#include <tm/core/time.hpp>
#include <tm/db/connection.hpp>
#include <tm/report/rows.hpp>

#include <cstdio>
#include <string>

namespace query {

struct SqlOptions {
    std::string sql;
    report::Format format = report::Format::table;
    bool csv_safe = false;
    core::Duration statement_timeout = std::chrono::seconds{60};
};

// Runs one user-written query (tm query --sql) and writes its rows. The text reaches the server
// only as one extended-protocol statement (never spliced into other SQL, never through a
// multi-statement call), inside a READ ONLY transaction with a statement timeout that is always
// rolled back, on a connection whose role can only read (a role that could write is refused).
// A statement that returns no rows is refused before it runs; one that ends the transaction,
// changes a session setting or takes an advisory lock fails the run.
// Throws core::UsageError for what the server rejects as a statement (syntax, unknown column)
// and core::Error for what fails while it runs (a write refused, the timeout).
long long run_sql(db::Connection& conn, const SqlOptions& options, std::FILE* out);

} // namespace query
