#pragma once

#include <tm/db/connection.hpp>

#include <cstdio>
#include <functional>
#include <string>
#include <vector>

// Writing query results for people and programs.
namespace report {

enum class Format { table, csv, json, ndjson };

// How a column is written: numbers are right-aligned in a table and bare in JSON; flags
// ('t'/'f') are JSON booleans; text and times (already ISO-8601 text) are JSON strings.
enum class Type { text, number, time, flag };

struct Column {
    std::string name;
    Type type = Type::text;
};

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

// `rows` (the first being the header) as aligned text: columns two spaces apart, those with
// `right[c]` right-aligned, no trailing blanks, one line each.
std::string aligned(const std::vector<std::vector<std::string>>& rows,
                    const std::vector<bool>& right = {});

} // namespace report
