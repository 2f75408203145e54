#include <tm/core/csv.hpp>
#include <tm/core/error.hpp>
#include <tm/core/files.hpp>
#include <tm/core/strings.hpp>

#include <fmt/format.h>

namespace core::csv {

std::vector<Row> parse(std::string_view text, std::string_view origin) {
    std::vector<Row> rows;
    size_t pos = 0;
    int line = 1;
    while (pos < text.size()) {
        const int start_line = line;
        // Comments and blank lines.
        const size_t eol = text.find('\n', pos);
        const auto raw = strings::trim(
            text.substr(pos, eol == std::string_view::npos ? std::string_view::npos : eol - pos));
        if (raw.empty() || raw.front() == '#') {
            pos = eol == std::string_view::npos ? text.size() : eol + 1;
            ++line;
            continue;
        }
        Row row{start_line, {}};
        std::string field;
        bool quoted = false;
        bool was_quoted = false;
        for (;;) {
            if (pos >= text.size()) {
                if (quoted) {
                    throw UsageError(
                        fmt::format("{}:{}: a quoted field is not closed", origin, start_line));
                }
                break;
            }
            const char c = text[pos++];
            if (quoted) {
                if (c == '"') {
                    if (pos < text.size() && text[pos] == '"') {
                        field += '"';
                        ++pos;
                    } else {
                        quoted = false;
                    }
                } else {
                    if (c == '\n') {
                        ++line;
                    }
                    field += c;
                }
            } else if (c == '"' && strings::trim(field).empty()) {
                quoted = true;
                was_quoted = true;
                field.clear();
            } else if (c == ',') {
                row.fields.emplace_back(was_quoted ? field : std::string(strings::trim(field)));
                field.clear();
                was_quoted = false;
            } else if (c == '\n') {
                ++line;
                break;
            } else if (c != '\r') {
                field += c;
            }
        }
        row.fields.emplace_back(was_quoted ? field : std::string(strings::trim(field)));
        rows.push_back(std::move(row));
    }
    return rows;
}

std::vector<Row> read(const std::string& path) {
    std::optional<std::string> text;
    try {
        text = files::read_if_exists(path);
    } catch (const Error& e) {
        throw UsageError(e.what());
    }
    if (!text) {
        throw UsageError(fmt::format("config file {} does not exist", path));
    }
    return parse(*text, path);
}

} // namespace core::csv
