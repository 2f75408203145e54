#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace core::csv {

struct Row {
    int line; // 1-based line number in the file, for error messages
    std::vector<std::string> fields;
};

// Parses CSV text (RFC 4180: quoted fields may hold commas, quotes doubled, newlines). Blank
// lines and lines starting with '#' are skipped. Fields are trimmed of surrounding spaces.
// Throws core::UsageError naming `origin` and the line for an unterminated quote.
std::vector<Row> parse(std::string_view text, std::string_view origin);

// Reads and parses `path`. Throws core::UsageError when it cannot be read.
std::vector<Row> read(const std::string& path);

} // namespace core::csv
