#pragma once

#include <tm/db/connection.hpp>
#include <tm/report/format.hpp>

#include <cstdio>
#include <functional>
#include <string>
#include <vector>

// Writing query results for people and programs.
namespace report {

// Writes the rows of `sql` — whose result columns are `columns`, in order, named alike — to
// `out`:
//   csv     COPY (sql) TO STDOUT WITH (FORMAT csv, HEADER), streamed: byte for byte what
//           `psql -c "\copy (sql) TO STDOUT CSV HEADER"` prints (NULL is an empty field);
//   json    one array of objects; ndjson: one object per line; both streamed row by row;
//   table   aligned columns, held until printed (callers limit the rows).
// Returns the rows written.
long long write_rows(db::Connection& conn,
                     const std::string& sql,
                     const db::Params& params,
                     const std::vector<Column>& columns,
                     Format format,
                     std::FILE* out);

// A result delivered row by row: calls `on_row(result, 0)` for each row as it arrives and
// returns the number of rows (db::Connection::stream and stream_prepared do this).
using OnRow = std::function<void(const db::Result&, int)>;
using RowSource = std::function<long long(const OnRow& on_row)>;

// Writes the rows of `rows` (result columns `columns`, in order) to `out` in `format`, all
// formats streamed (the table is held until printed). CSV is written here, quoted as PostgreSQL's
// COPY … CSV HEADER quotes; with `csv_safe`, text cells a spreadsheet would run as a formula
// (=, +, -, @, tab, CR first) get a leading '. Returns the rows written.
long long write_rows(const RowSource& rows,
                     const std::vector<Column>& columns,
                     Format format,
                     bool csv_safe,
                     std::FILE* out);

// `rows` (the first being the header) as aligned text for a terminal: control characters
// escaped, columns two spaces apart (by display width), those with `right[c]` right-aligned, no
// trailing blanks, one line each.
std::string aligned(const std::vector<std::vector<std::string>>& rows,
                    const std::vector<bool>& right = {});

// How a table shows a value of `type` whose PostgreSQL text is `text` (see Type). Text that
// is not the number it should be (NaN, Infinity, a numeric too long for a double) stays as is.
std::string table_cell(std::string_view text, Type type);

// `v` to 4 significant digits for people: 0.0123, 1.5, 999.9, 12.35k, 1.2M, 3.456B, 7T,
// 1.235e+15; below 0.0001 in scientific notation (1.25e-05).
std::string round_for_people(double v);

} // namespace report
