#include <tm/query/history.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <set>

namespace query {
namespace {

// The family of a metric name: CHAIN_FEES_24H and FEES_24H are both FEES.
constexpr const char* k_family_sql = "regexp_replace(s.metric, '^CHAIN_|_24H$', '', 'g')";

// PostgreSQL's "2024-03-12 00:00:00+00" (the session is in UTC) as "2024-03-12T00:00:00Z".
std::string iso_time(std::string_view pg) {
    std::string out(pg);
    if (out.size() > 10 && out[10] == ' ') {
        out[10] = 'T';
    }
    if (out.ends_with("+00")) {
        out.replace(out.size() - 3, 3, "Z");
    }
    return out;
}

} // namespace

std::string csv_field(std::string_view s) {
    if (s.find_first_of(",\"\r\n") == std::string_view::npos) {
        return std::string(s);
    }
    std::string out = "\"";
    for (const char c : s) {
        out += c;
        if (c == '"') {
            out += '"';
        }
    }
    out += '"';
    return out;
}

// Streams the rows of `sql` to `out` as CSV, or collects them into an aligned table. Columns in
// `times` are PostgreSQL timestamps turned into ISO-8601; `numbers` are right-aligned.
long long write_rows(db::Connection& conn,
                     const std::string& sql,
                     const db::Params& params,
                     const std::vector<std::string>& header,
                     const std::set<size_t>& times,
                     const std::set<size_t>& numbers,
                     Format format,
                     std::FILE* out) {
    std::vector<std::vector<std::string>> table;
    if (format == Format::csv) {
        std::string line;
        for (size_t c = 0; c < header.size(); ++c) {
            if (c > 0) {
                line += ',';
            }
            line += header[c];
        }
        fmt::print(out, "{}\r\n", line);
    }
    const long long rows = conn.stream(sql, params, [&](const db::Result& r, int row) {
        std::vector<std::string> cells;
        for (size_t c = 0; c < header.size(); ++c) {
            const auto text = r.get(row, static_cast<int>(c));
            cells.emplace_back(times.contains(c) ? iso_time(text) : std::string(text));
        }
        if (format == Format::csv) {
            std::string line;
            for (size_t c = 0; c < cells.size(); ++c) {
                if (c > 0) {
                    line += ',';
                }
                line += csv_field(cells[c]);
            }
            line += "\r\n";
            std::fwrite(line.data(), 1, line.size(), out);
        } else {
            table.push_back(std::move(cells));
        }
    });
    if (format == Format::table) {
        std::vector<size_t> width(header.size());
        for (size_t c = 0; c < header.size(); ++c) {
            width[c] = header[c].size();
            for (const auto& r : table) {
                width[c] = std::max(width[c], r[c].size());
            }
        }
        const auto print_row = [&](const std::vector<std::string>& cells) {
            std::string line;
            for (size_t c = 0; c < cells.size(); ++c) {
                if (c > 0) {
                    line += "  ";
                }
                line += numbers.contains(c) ? fmt::format("{:>{}}", cells[c], width[c])
                                            : fmt::format("{:<{}}", cells[c], width[c]);
            }
            while (!line.empty() && line.back() == ' ') {
                line.pop_back();
            }
            fmt::print(out, "{}\n", line);
        };
        print_row(header);
        for (const auto& r : table) {
            print_row(r);
        }
    }
    return rows;
}

long long run(db::Connection& conn, View view, const Filter& f, Format format, std::FILE* out) {
    if (view == View::ohlcv) {
        return run_ohlcv(conn, f, format, out);
    }
    const std::string from =
        view == View::latest ? "FROM series s CROSS JOIN LATERAL (SELECT ts, value FROM points "
                               "WHERE points.series_id = s.series_id ORDER BY ts DESC LIMIT 1) p"
                             : "FROM points p JOIN series s USING (series_id)";
    const std::string sql = fmt::format(
        "SELECT coalesce(e.entity, ''), s.source, s.asset, s.metric, p.ts::text, p.value::text {} "
        "LEFT JOIN LATERAL (SELECT entity FROM entities e WHERE e.source = s.source AND e.asset = "
        "s.asset "
        "                   ORDER BY entity LIMIT 1) e ON true "
        "WHERE ($1::text IS NULL OR s.source = $1) "
        "  AND ($2::text[] IS NULL OR s.asset = ANY($2)) "
        "  AND ($3::text IS NULL OR s.metric = $3 OR {} = $3) "
        "  AND ($4::text IS NULL OR e.entity = $4) "
        "  AND ($5::timestamptz IS NULL OR p.ts >= $5) "
        "  AND ($6::timestamptz IS NULL OR p.ts < $6) "
        "ORDER BY s.source, s.asset, s.metric, p.ts "
        "LIMIT $7",
        from,
        k_family_sql);
    const auto time = [](const std::optional<core::Time>& t) -> std::optional<std::string> {
        return t ? std::optional(core::format_iso8601(*t, core::Precision::micros)) : std::nullopt;
    };
    const db::Params params = {
        f.source,
        f.assets.empty() ? std::nullopt : std::optional(db::array_literal(f.assets)),
        f.metric,
        f.entity,
        time(f.since),
        time(f.until),
        f.limit ? std::optional(std::to_string(*f.limit)) : std::nullopt,
    };
    return write_rows(conn,
                      sql,
                      params,
                      {"entity", "source", "asset", "metric", "ts", "value"},
                      {4},
                      {5},
                      format,
                      out);
}

long long run_ohlcv(db::Connection& conn, const Filter& f, Format format, std::FILE* out) {
    const std::string sql =
        "SELECT source, asset, day::text, open::text, high::text, low::text, close::text, "
        "coalesce(volume::text, ''), "
        "samples::text FROM daily_ohlcv "
        "WHERE ($1::text IS NULL OR source = $1) AND ($2::text[] IS NULL OR asset = ANY($2)) "
        "  AND ($3::timestamptz IS NULL OR day >= $3) AND ($4::timestamptz IS NULL OR day < $4) "
        "ORDER BY source, asset, day LIMIT $5";
    const auto time = [](const std::optional<core::Time>& t) -> std::optional<std::string> {
        return t ? std::optional(core::format_iso8601(*t, core::Precision::micros)) : std::nullopt;
    };
    return write_rows(
        conn,
        sql,
        {f.source,
         f.assets.empty() ? std::nullopt : std::optional(db::array_literal(f.assets)),
         time(f.since),
         time(f.until),
         f.limit ? std::optional(std::to_string(*f.limit)) : std::nullopt},
        {"source", "asset", "day", "open", "high", "low", "close", "volume", "samples"},
        {2},
        {3, 4, 5, 6, 7, 8},
        format,
        out);
}

} // namespace query
