#include <tm/core/error.hpp>
#include <tm/core/files.hpp>
#include <tm/core/strings.hpp>
#include <tm/query/interactive.hpp>
#include <tm/query/views.hpp>
#include <tm/store/newest_point.hpp>

#include <fmt/format.h>

#include <unistd.h>

namespace query {
namespace {

// At most this many choices are listed at once; more are narrowed by typing part of a name.
constexpr size_t k_listed = 30;

// Names come from APIs: what reaches the terminal shows control characters escaped.
std::string safe(std::string_view text) {
    return core::strings::terminal_safe(text);
}

struct Quit {};

class Prompt {
public:
    Prompt(std::FILE* in, std::FILE* out) : m_in(in), m_out(out) {}

    std::string ask(const std::string& question, const std::string& fallback) {
        fmt::print(m_out, "{} [{}]: ", question, fallback);
        std::fflush(m_out);
        std::string line;
        int c = 0;
        while ((c = std::fgetc(m_in)) != EOF && c != '\n') {
            line += static_cast<char>(c);
        }
        if (c == EOF && line.empty()) {
            throw Quit{};
        }
        const auto answer = std::string(core::strings::trim(line));
        if (answer == "q") {
            throw Quit{};
        }
        return answer.empty() ? fallback : answer;
    }

    // One of `names` (with a note each): by number, or narrowed by a part of its name.
    std::string choose(const std::string& what,
                       std::vector<std::pair<std::string, std::string>> items) {
        for (;;) {
            fmt::print(m_out, "{} ({}):\n", what, items.size());
            for (size_t i = 0; i < items.size() && i < k_listed; ++i) {
                fmt::print(m_out,
                           "  {:>2}) {}{}\n",
                           i + 1,
                           safe(items[i].first),
                           items[i].second.empty() ? ""
                                                   : fmt::format("  ({})", safe(items[i].second)));
            }
            if (items.size() > k_listed) {
                fmt::print(m_out,
                           "  … {} more: type part of a name to narrow the list\n",
                           items.size() - k_listed);
            }
            const std::string answer = ask(fmt::format("{} (number or part of a name)", what), "1");
            if (const auto n = core::strings::parse_int(answer);
                n && *n >= 1 && static_cast<size_t>(*n) <= std::min(items.size(), k_listed)) {
                return items[static_cast<size_t>(*n - 1)].first;
            }
            std::vector<std::pair<std::string, std::string>> narrowed;
            const std::string part = core::strings::to_lower(answer);
            for (const auto& item : items) {
                // The note holds an asset's name: a pool is found by "USDC", not its UUID.
                if (core::strings::to_lower(item.first).find(part) != std::string::npos
                    || core::strings::to_lower(item.second).find(part) != std::string::npos) {
                    narrowed.push_back(item);
                }
            }
            if (narrowed.size() == 1) {
                return narrowed[0].first;
            }
            if (narrowed.empty()) {
                fmt::print(m_out, "nothing matches '{}'\n", safe(answer));
            } else {
                items = std::move(narrowed);
            }
        }
    }

private:
    std::FILE* m_in;
    std::FILE* m_out;
};

std::vector<std::pair<std::string, std::string>> pairs(const db::Result& r) {
    std::vector<std::pair<std::string, std::string>> out;
    for (int i = 0; i < r.rows(); ++i) {
        out.emplace_back(r.get(i, 0), r.get(i, 1));
    }
    return out;
}

} // namespace

void run_interactive(db::Connection& conn, std::FILE* in, std::FILE* out, core::Time now) {
    if (::isatty(::fileno(in)) == 0 || ::isatty(::fileno(out)) == 0) {
        throw core::UsageError("--interactive needs a terminal; in scripts use the view and filter "
                               "flags (tm query --help)");
    }
    Prompt prompt(in, out);
    try {
        fmt::print(out,
                   "tm query: pick what to see (Enter takes the default in [brackets], q quits)\n");
        const auto sources = pairs(conn.exec(
            "SELECT source, count(*) || ' series' FROM series GROUP BY source ORDER BY source"));
        if (sources.empty()) {
            fmt::print(out, "nothing is stored yet: run tm pull SOURCE first\n");
            return;
        }
        Filter f;
        f.source = prompt.choose("source", sources);
        f.assets = {prompt.choose(
            fmt::format("asset of {}", *f.source),
            pairs(conn.exec(
                "SELECT s.asset, concat_ws(': ', (SELECT coalesce(nullif(a.name, ''), a.symbol) "
                "FROM assets a WHERE a.source = s.source AND a.asset = s.asset ORDER BY a.kind "
                "LIMIT 1), string_agg(s.metric, ', ' ORDER BY s.metric)) FROM series s WHERE "
                "s.source = $1 GROUP BY s.source, s.asset ORDER BY s.asset",
                {f.source})))};
        f.metric = prompt.choose(
            "metric",
            pairs(conn.exec(
                "SELECT s.metric, coalesce('newest ' || tm_iso(p.ts), 'no points') FROM series s "
                "LEFT JOIN LATERAL ("
                    + store::newest_point_sql("ts", "s.series_id", "$3", "")
                    + ") p ON true WHERE s.source = $1 AND s.asset = $2 ORDER BY s.metric",
                {f.source,
                 f.assets[0],
                 core::format_iso8601(store::recent_months_start(now), core::Precision::micros)})));
        for (;;) {
            const auto days = core::strings::parse_int(prompt.ask("days back", "30"));
            if (days && *days >= 1 && *days <= 36500) {
                f.since = now - *days * std::chrono::days{1};
                break;
            }
            fmt::print(out, "a whole number of days, from 1\n");
        }
        const std::string where = prompt.ask("show here, or write CSV to a file (path)", "show");
        if (where == "show") {
            f.limit = 1000;
            const long long rows = query::run(conn, View::history, f, report::Format::table, out);
            fmt::print(
                out, "{} rows{}\n", rows, rows == 1000 ? " (the first 1,000; export for all)" : "");
        } else {
            core::files::AtomicFile file(where);
            const long long rows =
                query::run(conn, View::history, f, report::Format::csv, file.stream());
            file.commit();
            fmt::print(out, "wrote {} rows to {}\n", rows, safe(where));
        }
        fmt::print(out,
                   "the same without questions: tm query history --source {} --asset {} --metric "
                   "{} --since {} [--csv]\n",
                   safe(*f.source),
                   safe(f.assets[0]),
                   safe(*f.metric),
                   core::format_iso8601(*f.since));
    } catch (const Quit&) {
        fmt::print(out, "\n");
    }
}

} // namespace query
