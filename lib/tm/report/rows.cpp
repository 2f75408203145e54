#include <tm/core/strings.hpp>
#include <tm/core/time.hpp>
#include <tm/report/rows.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>

namespace report {
namespace {

void put(std::FILE* out, std::string_view s) {
    if (std::fwrite(s.data(), 1, s.size(), out) != s.size()) {
        throw core::Error(fmt::format("cannot write the output: {}", std::strerror(errno)));
    }
}

std::string json_value(const db::Result& r, int col, Type type) {
    if (r.is_null(0, col)) {
        return "null";
    }
    const auto text = r.get(0, col);
    switch (type) {
    case Type::number:
    case Type::count:
    case Type::id:
    case Type::age:
        // JSON has no NaN or infinities.
        return text == "NaN" || text == "Infinity" || text == "-Infinity" ? "null"
                                                                          : std::string(text);
    case Type::flag:
        return text == "t" ? "true" : "false";
    case Type::text:
    case Type::time:
        break;
    }
    return fmt::format("\"{}\"", core::strings::json_escape(text));
}

long long
write_csv(db::Connection& conn, const std::string& sql, const db::Params& params, std::FILE* out) {
    const auto copy = [&] {
        return conn.copy_out(
            sql, params, "FORMAT csv, HEADER", [&](std::string_view chunk) { put(out, chunk); });
    };
    // copy_out's settings are transaction-local: use the caller's transaction, or one of its own.
    if (PQtransactionStatus(conn.raw()) != PQTRANS_IDLE) {
        return copy();
    }
    db::Transaction tx(conn);
    const long long rows = copy();
    tx.commit();
    return rows;
}

// One CSV field as COPY … (FORMAT csv) writes it: quoted when it holds a delimiter, quote,
// CR or LF, when it is empty (an empty field is NULL) or when it is the end-of-data marker.
void append_csv_field(std::string& line, std::string_view value) {
    const bool quote =
        value.empty() || value == "\\." || value.find_first_of(",\"\r\n") != std::string_view::npos;
    if (!quote) {
        line += value;
        return;
    }
    line += '"';
    for (const char c : value) {
        if (c == '"') {
            line += '"';
        }
        line += c;
    }
    line += '"';
}

bool formula_like(std::string_view text) {
    return !text.empty()
           && std::string_view("=+-@\t\r").find(text.front()) != std::string_view::npos;
}

long long write_csv_rows(const RowSource& rows,
                         const std::vector<Column>& columns,
                         bool csv_safe,
                         std::FILE* out) {
    std::string line;
    for (size_t c = 0; c < columns.size(); ++c) {
        line += c == 0 ? "" : ",";
        append_csv_field(line, columns[c].name);
    }
    line += '\n';
    put(out, line);
    return rows([&](const db::Result& r, int) {
        line.clear();
        for (size_t c = 0; c < columns.size(); ++c) {
            line += c == 0 ? "" : ",";
            const int col = static_cast<int>(c);
            if (r.is_null(0, col)) {
                continue;
            }
            const auto text = r.get(0, col);
            if (csv_safe && columns[c].type == Type::text && formula_like(text)) {
                std::string safe(1, '\'');
                safe.append(text);
                append_csv_field(line, safe);
            } else {
                append_csv_field(line, text);
            }
        }
        line += '\n';
        put(out, line);
    });
}

long long write_table(const RowSource& source, const std::vector<Column>& columns, std::FILE* out) {
    std::vector<std::vector<std::string>> rows(1);
    std::vector<bool> right;
    for (const auto& c : columns) {
        rows[0].push_back(c.header());
        right.push_back(c.type == Type::number || c.type == Type::count || c.type == Type::id
                        || c.type == Type::age);
    }
    const long long n = source([&](const db::Result& r, int) {
        std::vector<std::string> cells;
        for (size_t c = 0; c < columns.size(); ++c) {
            const int col = static_cast<int>(c);
            cells.push_back(r.is_null(0, col) ? std::string()
                                              : table_cell(r.get(0, col), columns[c].type));
        }
        rows.push_back(std::move(cells));
    });
    put(out, aligned(rows, right));
    return n;
}

long long write_json(const RowSource& source,
                     const std::vector<Column>& columns,
                     bool lines,
                     std::FILE* out) {
    std::vector<std::string> keys;
    for (const auto& c : columns) {
        keys.push_back(fmt::format("\"{}\":", core::strings::json_escape(c.name)));
    }
    long long n = 0;
    if (!lines) {
        put(out, "[");
    }
    source([&](const db::Result& r, int) {
        std::string object = lines ? "{" : (n == 0 ? "\n{" : ",\n{");
        for (size_t c = 0; c < columns.size(); ++c) {
            if (c > 0) {
                object += ',';
            }
            object += keys[c];
            object += json_value(r, static_cast<int>(c), columns[c].type);
        }
        object += lines ? "}\n" : "}";
        put(out, object);
        ++n;
    });
    if (!lines) {
        put(out, n == 0 ? "]\n" : "\n]\n");
    }
    return n;
}

} // namespace

std::string round_for_people(double v) {
    if (!std::isfinite(v)) {
        return fmt::format("{}", v);
    }
    // Thresholds just under the powers of 1000: 999.96 rounds to 1000 at 4 digits, so it is 1k.
    if (std::fabs(v) < 999.95) {
        return fmt::format("{:.4g}", v);
    }
    constexpr const char* k_suffix[] = {"k", "M", "B", "T"};
    double scaled = v;
    for (const char* suffix : k_suffix) {
        scaled /= 1000;
        if (std::fabs(scaled) < 999.95) {
            return fmt::format("{:.4g}{}", scaled, suffix);
        }
    }
    return fmt::format("{:.3e}", v);
}

std::string table_cell(std::string_view text, Type type) {
    switch (type) {
    case Type::number:
        if (const auto v = core::strings::parse_double(text)) {
            return round_for_people(*v);
        }
        break;
    case Type::count:
        if (const auto n = core::strings::parse_int(text)) {
            return core::strings::group_thousands(*n);
        }
        break;
    case Type::age:
        if (const auto v = core::strings::parse_double(text)) {
            return core::format_age(*v);
        }
        break;
    case Type::text:
    case Type::id:
    case Type::time:
    case Type::flag:
        break;
    }
    return std::string(text);
}

std::string aligned(const std::vector<std::vector<std::string>>& rows,
                    const std::vector<bool>& right) {
    std::vector<std::vector<std::string>> cells;
    std::vector<size_t> width;
    for (const auto& r : rows) {
        auto& safe = cells.emplace_back();
        width.resize(std::max(width.size(), r.size()));
        for (size_t c = 0; c < r.size(); ++c) {
            safe.push_back(core::strings::terminal_safe(r[c]));
            width[c] = std::max(width[c], core::strings::display_width(safe.back()));
        }
    }
    std::string out;
    for (const auto& r : cells) {
        std::string line;
        for (size_t c = 0; c < r.size(); ++c) {
            if (c > 0) {
                line += "  ";
            }
            const std::string pad(width[c] - core::strings::display_width(r[c]), ' ');
            line += c < right.size() && right[c] ? pad + r[c] : r[c] + pad;
        }
        while (!line.empty() && line.back() == ' ') {
            line.pop_back();
        }
        out += line;
        out += '\n';
    }
    return out;
}

long long write_rows(db::Connection& conn,
                     const std::string& sql,
                     const db::Params& params,
                     const std::vector<Column>& columns,
                     Format format,
                     std::FILE* out) {
    if (format == Format::csv) {
        return write_csv(conn, sql, params, out);
    }
    return write_rows([&](const OnRow& on_row) { return conn.stream(sql, params, on_row); },
                      columns,
                      format,
                      false,
                      out);
}

long long write_rows(const RowSource& rows,
                     const std::vector<Column>& columns,
                     Format format,
                     bool csv_safe,
                     std::FILE* out) {
    switch (format) {
    case Format::csv:
        return write_csv_rows(rows, columns, csv_safe, out);
    case Format::table:
        return write_table(rows, columns, out);
    case Format::json:
        return write_json(rows, columns, false, out);
    case Format::ndjson:
        return write_json(rows, columns, true, out);
    }
    return 0;
}

} // namespace report
