#pragma once

#include <string>

// How query results are written: plain values, so that options and mains need no database
// headers (report/rows.hpp writes them).
namespace report {

enum class Format { table, csv, json, ndjson };

// How a column is written. CSV, JSON and NDJSON keep the exact value: numbers (of every kind
// below) are bare JSON numbers, flags ('t'/'f') JSON booleans, text and times (already
// ISO-8601 text) JSON strings. A table is for people (table_cell):
//   number  a measurement: 4 significant digits, k/M/B/T from a thousand on (12.35M)
//   count   a whole number: exact, grouped in thousands (1,234,567)
//   id      an identifier: exact, as stored
//   age     seconds: 3h12m
// and every cell shows control characters escaped (core::strings::terminal_safe).
enum class Type { text, number, count, id, age, time, flag };

struct Column {
    std::string name;
    Type type = Type::text;
    std::string label = {}; // a table's header, when it is not `name` (age_s shows as "age")

    const std::string& header() const { return label.empty() ? name : label; }
};

} // namespace report
