#include <tm/report/rows.hpp>

#include <fmt/format.h>

#include <algorithm>

namespace report {

namespace {

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

} // namespace report
