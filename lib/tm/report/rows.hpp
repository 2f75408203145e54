#pragma once

#include <tm/db/connection.hpp>

#include <cstdio>
#include <set>
#include <string>
#include <string_view>
#include <vector>

// Writing query results for people and programs.
namespace report {

enum class Format { table, csv };

// Streams the rows of `sql` to `out` as CSV (RFC 4180, a header row, CRLF) row by row, or
// collects them into an aligned table. Columns in `times` are PostgreSQL timestamps written as
// ISO-8601 UTC; `numbers` are right-aligned in a table. Returns the rows written.
long long write_rows(db::Connection& conn,
                     const std::string& sql,
                     const db::Params& params,
                     const std::vector<std::string>& header,
                     const std::set<size_t>& times,
                     const std::set<size_t>& numbers,
                     Format format,
                     std::FILE* out);

// "a,b" stays as is; a field with a comma, quote, CR or LF is quoted, quotes doubled.
std::string csv_field(std::string_view s);

} // namespace report
