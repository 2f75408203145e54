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

long long write_table(db::Connection& conn,
                      const std::string& sql,
                      const db::Params& params,
                      const std::vector<Column>& columns,
                      std::FILE* out) {
    std::vector<std::vector<std::string>> rows(1);
    std::vector<bool> right;
    for (const auto& c : columns) {
        rows[0].push_back(c.header());
        right.push_back(c.type == Type::number || c.type == Type::count || c.type == Type::id
                        || c.type == Type::age);
    }
    const long long n = conn.stream(sql, params, [&](const db::Result& r, int) {
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

long long write_json(db::Connection& conn,
                     const std::string& sql,
                     const db::Params& params,
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
    conn.stream(sql, params, [&](const db::Result& r, int) {
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
    switch (format) {
    case Format::csv:
        return write_csv(conn, sql, params, out);
    case Format::table:
        return write_table(conn, sql, params, columns, out);
    case Format::json:
        return write_json(conn, sql, params, columns, false, out);
    case Format::ndjson:
        return write_json(conn, sql, params, columns, true, out);
    }
    return 0;
}

} // namespace report
