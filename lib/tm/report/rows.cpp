#include <tm/core/strings.hpp>
#include <tm/report/rows.hpp>

#include <fmt/format.h>

#include <algorithm>
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
        rows[0].push_back(c.name);
        right.push_back(c.type == Type::number);
    }
    const long long n = conn.stream(sql, params, [&](const db::Result& r, int) {
        std::vector<std::string> cells;
        for (size_t c = 0; c < columns.size(); ++c) {
            cells.emplace_back(r.get(0, static_cast<int>(c)));
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

std::string aligned(const std::vector<std::vector<std::string>>& rows,
                    const std::vector<bool>& right) {
    std::vector<size_t> width;
    for (const auto& r : rows) {
        width.resize(std::max(width.size(), r.size()));
        for (size_t c = 0; c < r.size(); ++c) {
            width[c] = std::max(width[c], r[c].size());
        }
    }
    std::string out;
    for (const auto& r : rows) {
        std::string line;
        for (size_t c = 0; c < r.size(); ++c) {
            if (c > 0) {
                line += "  ";
            }
            line += c < right.size() && right[c] ? fmt::format("{:>{}}", r[c], width[c])
                                                 : fmt::format("{:<{}}", r[c], width[c]);
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
