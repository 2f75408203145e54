#pragma once

#include <tm/core/error.hpp>
#include <tm/core/time.hpp>
#include <tm/query/filter.hpp>
#include <tm/report/format.hpp>

#include <optional>
#include <string>

namespace jobs {

struct QueryOptions {
    std::optional<std::string> db;
    query::View view = query::View::latest;
    query::Filter filter;
    report::Format format = report::Format::table;
    std::optional<std::string> output; // -o FILE, written atomically
    std::optional<std::string> sql;    // --sql: one read-only query instead of a view
    core::Duration statement_timeout = std::chrono::seconds{60};
    bool interactive = false;
};

// tm query: writes a view's rows, a read-only SQL query's rows, or runs the interactive picker.
// Connects as the reader role. Throws core::UsageError for a bad filter or statement.
core::ExitCode run_query(const QueryOptions& options);

} // namespace jobs
