#pragma once

#include <tm/core/time.hpp>
#include <tm/db/connection.hpp>
#include <tm/query/filter.hpp>
#include <tm/report/rows.hpp>

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

// Reading stored data back out (tm query; tm serve uses the same queries).
namespace query {

// One SELECT of a view: text, parameters and result columns.
struct Select {
    std::string sql;
    db::Params params;
    std::vector<report::Column> columns;
};

// The SELECT for `view` and `filter`; `now` dates the age of latest values. For a table (people
// read it) the series views also show the asset's name (from `assets`) before its id, and the
// assets view its name and symbol first; CSV, JSON and NDJSON keep their columns. Throws
// core::UsageError for a --sort column the view does not have, naming those it has.
Select select(View view, const Filter& filter, core::Time now, report::Format format);

// Checks the filter against what is stored: throws core::UsageError for a metric or entity
// nothing has, listing the valid choices when there are few.
void check_filter(db::Connection& conn, const Filter& filter);

// Entities (of the entities table) that have at least one stored series, by name.
std::vector<std::string> stored_entities(db::Connection& conn);

// Writes `view`'s rows matching `filter` to `out` in `format`. Returns the rows written.
long long
run(db::Connection& conn, View view, const Filter& filter, report::Format format, std::FILE* out);

} // namespace query
