#include <tm/core/error.hpp>
#include <tm/core/log.hpp>
#include <tm/core/strings.hpp>
#include <tm/query/views.hpp>
#include <tm/serve/dashboard.hpp>
#include <tm/serve/html.hpp>
#include <tm/sources/source.hpp>
#include <tm/store/metric_family.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

namespace serve {
namespace {

using Point = std::pair<double, double>; // Unix seconds, value
constexpr double k_day = 86400;
// No chart asks for more rows than this (a year of hourly buckets for a dozen series).
constexpr long long k_max_chart_rows = 200'000;

// The rows of one of tm query's views, read by column name. The views are run in their table
// form, which adds the asset's name (query::select).
class Rows {
public:
    Rows(db::Connection& conn, query::View view, const query::Filter& f, core::Time now)
        : m_result(nullptr) {
        const auto s = query::select(view, f, now, report::Format::table);
        const auto started = std::chrono::steady_clock::now();
        m_result = conn.exec(s.sql, s.params);
        core::log::debug(
            "dashboard: {} rows of {} in {:.1f} ms",
            m_result.rows(),
            query::view_name(view),
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
                .count());
        for (std::size_t i = 0; i < s.columns.size(); ++i) {
            m_index.emplace(s.columns[i].name, static_cast<int>(i));
        }
    }
    int size() const { return m_result.rows(); }
    std::optional<std::string_view> get(int row, std::string_view column) const {
        const auto at = m_index.find(column);
        if (at == m_index.end()) { // a page asking for a column its view lacks: a bug here
            throw core::Error(fmt::format("the view has no column {}", column));
        }
        const int c = at->second;
        if (m_result.is_null(row, c)) {
            return std::nullopt;
        }
        return m_result.get(row, c);
    }
    std::string text(int row, std::string_view column) const {
        return std::string(get(row, column).value_or(""));
    }
    std::optional<double> number(int row, std::string_view column) const {
        const auto v = get(row, column);
        return v ? core::strings::parse_double(*v) : std::nullopt;
    }
    std::optional<double> seconds(int row, std::string_view column) const {
        const auto v = get(row, column);
        const auto t = v ? core::parse_time(*v) : std::nullopt;
        return t ? std::optional(static_cast<double>(core::to_unix_seconds(*t))) : std::nullopt;
    }

private:
    db::Result m_result;
    std::map<std::string, int, std::less<>> m_index;
};

std::string esc(std::string_view s) {
    return html::escape(s);
}

// An href attribute's value: a link made by html::link, escaped for the attribute.
std::string href(std::string_view path,
                 const std::vector<std::pair<std::string_view, std::string_view>>& params) {
    return esc(html::link(path, params));
}

// The chart a series is drawn in: its metric's family, with the measures that share an axis
// joined (mark and oracle prices with prices; each venue's predicted funding with the funding
// rate; base and reward APY with APY). The exchanges' VOLUME_24H counts the base asset (BTC, not
// dollars): it gets a chart of its own, and their QUOTE_VOLUME_24H (dollars) joins VOLUME.
std::string chart_group(std::string_view source, std::string_view metric) {
    if (metric.starts_with("PREDICTED_FUNDING_RATE_")) {
        return "FUNDING_RATE";
    }
    if (metric == "MARK_PRICE" || metric == "ORACLE_PRICE") {
        return "PRICE";
    }
    if (metric == "APY_BASE" || metric == "APY_REWARD") {
        return "APY";
    }
    if (source == "binance" || source == "kraken" || source == "coinbase") {
        if (metric == "VOLUME_24H") {
            return "BASE_VOLUME";
        }
        if (metric == "QUOTE_VOLUME_24H") {
            return "VOLUME";
        }
    }
    return store::metric_family(metric);
}

// How values of a series are shown: its unit, or for unit-less funding rates a share (percent).
std::string display_unit(std::string_view source, std::string_view metric, std::string_view unit) {
    if (unit.empty() && chart_group(source, metric) == "FUNDING_RATE") {
        return "ratio";
    }
    return std::string(unit);
}

std::string bytes(long long n) {
    constexpr const char* k_units[] = {"B", "kB", "MB", "GB", "TB", "PB"};
    double v = static_cast<double>(n);
    int u = 0;
    while (v >= 999.5 && u < 5) {
        v /= 1000;
        ++u;
    }
    return fmt::format("{:.3g}\u202f{}", v, k_units[u]);
}

std::string age(double seconds) {
    return esc(core::format_age(seconds));
}

// "name" with the id beside it when they differ; names are the source's own, so escaped.
std::string labelled(std::string_view name, std::string_view id) {
    if (name.empty() || name == id) {
        return esc(id);
    }
    return fmt::format("{} <span class=\"id\">{}</span>", esc(name), esc(id));
}

std::string section(std::string_view title, const std::string& inner, std::string_view cls = "") {
    return fmt::format(
        "<section class=\"card {}\"><h2>{}</h2>\n{}</section>\n", cls, esc(title), inner);
}

std::string empty_note(std::string_view what) {
    return fmt::format("<p class=\"empty\">{}</p>\n", esc(what));
}

// --- time windows -------------------------------------------------------------------------

struct Span {
    std::optional<core::Time> since, until;
};

Span span_of(const Window& w, core::Time now) {
    if (w.from) {
        return {w.from, w.to};
    }
    if (w.range == "all") {
        return {};
    }
    const int days = w.range == "7d" ? 7 : w.range == "1y" ? 365 : 30;
    return {now - days * std::chrono::days{1}, std::nullopt};
}

// Hourly buckets up to a month, daily ones up to three years, weekly beyond: a chart of at most
// ~1,100 points per series whatever the window.
std::string interval_for(const Span& s, core::Time now, std::optional<core::Time> first) {
    const core::Time from = s.since ? *s.since : first.value_or(now);
    const core::Time to = s.until ? *s.until : now;
    return to - from <= 31 * std::chrono::days{1}        ? "hour"
           : to - from <= 3 * 366 * std::chrono::days{1} ? "day"
                                                         : "week";
}

std::string range_links(const Window& w,
                        std::string_view path,
                        std::vector<std::pair<std::string_view, std::string_view>> params) {
    std::string out = "<nav class=\"ranges\" aria-label=\"time range\">";
    for (const char* r : {"7d", "30d", "1y", "all"}) {
        auto p = params;
        p.emplace_back("range", r);
        out += fmt::format("<a href=\"{}\"{}>{}</a>",
                           href(path, p),
                           !w.from && w.range == r ? " class=\"on\"" : "",
                           r);
    }
    if (w.from) {
        out += fmt::format("<span class=\"window\">{} to {}</span>",
                           html::when(core::format_iso8601(*w.from)),
                           w.to ? html::when(core::format_iso8601(*w.to)) : "now");
    }
    return out + "</nav>\n";
}

// --- charts -------------------------------------------------------------------------------

// One line of a chart: its points as (milliseconds, JSON number) and figures for the table.
struct Line {
    std::string source, kind, asset, name, metric, unit, label, entity;
    std::vector<std::pair<long long, std::string>> points; // one per bucket: its last value
    std::optional<double> first, last, low, high;
    std::string first_ts, last_ts;

    void add(std::string_view ts, std::optional<std::string_view> value) {
        const auto t = core::parse_time(ts);
        const auto v = value ? core::strings::parse_double(*value) : std::nullopt;
        if (!t) {
            return;
        }
        points.emplace_back(
            std::chrono::duration_cast<std::chrono::milliseconds>(t->time_since_epoch()).count(),
            v ? std::string(*value) : "null");
        if (v) {
            if (!first) {
                first = v;
                first_ts = ts;
            }
            last = v;
            last_ts = ts;
            low = std::min(low.value_or(*v), *v);
            high = std::max(high.value_or(*v), *v);
        }
    }
};

std::string chart_element(std::string_view id, std::string_view caption, std::string json) {
    return fmt::format("<figure class=\"chart\" data-chart=\"{0}\"><figcaption>{1}</figcaption>"
                       "<div class=\"plot\"></div><div class=\"legend\"></div>"
                       "<noscript><p class=\"empty\">Charts are drawn by JavaScript; the table "
                       "has the figures.</p></noscript></figure>\n"
                       "<script type=\"application/json\" id=\"{0}\">{2}</script>\n",
                       id,
                       caption,
                       html::script_json(json));
}

std::string json_string(std::string_view s) {
    return fmt::format("\"{}\"", core::strings::json_escape(s));
}

// A line chart of `lines` overlaid on their union of times (a gap is null, drawn across).
std::string
line_chart(std::string_view id, std::string_view caption, const std::vector<const Line*>& lines) {
    std::vector<long long> times;
    for (const Line* l : lines) {
        for (const auto& p : l->points) {
            times.push_back(p.first);
        }
    }
    std::sort(times.begin(), times.end());
    times.erase(std::unique(times.begin(), times.end()), times.end());
    std::string labels = "\"time\"";
    for (const Line* l : lines) {
        labels += "," + json_string(l->label);
    }
    std::vector<std::size_t> at(lines.size(), 0);
    std::string rows;
    for (const long long t : times) {
        rows += rows.empty() ? "[" : ",[";
        rows += std::to_string(t);
        for (std::size_t i = 0; i < lines.size(); ++i) {
            const auto& pts = lines[i]->points;
            while (at[i] < pts.size() && pts[at[i]].first < t) {
                ++at[i];
            }
            rows += ',';
            rows += at[i] < pts.size() && pts[at[i]].first == t ? pts[at[i]].second : "null";
        }
        rows += ']';
    }
    // The axis is labelled in the first unit a series of the chart states.
    std::string unit;
    for (const Line* l : lines) {
        if (unit.empty()) {
            unit = l->unit;
        }
    }
    return chart_element(
        id,
        caption,
        fmt::format("{{\"type\":\"line\",\"unit\":{},\"labels\":[{}],\"rows\":[{}]}}",
                    json_string(unit),
                    labels,
                    rows));
}

// Daily candles of one price series, from the ohlcv view (daily_ohlcv).
std::string
candle_chart(std::string_view id, std::string_view caption, const Rows& r, std::string_view unit) {
    std::string rows;
    for (int i = 0; i < r.size(); ++i) {
        const auto t = core::parse_time(r.text(i, "day"));
        std::string row;
        for (const char* c : {"open", "close", "high", "low"}) {
            const auto v = r.number(i, c);
            if (!v) {
                break;
            }
            row += fmt::format(",{}", *r.get(i, c));
        }
        if (!t || std::count(row.begin(), row.end(), ',') != 4) {
            continue;
        }
        rows += fmt::format(
            "{}[{}{}]",
            rows.empty() ? "" : ",",
            std::chrono::duration_cast<std::chrono::milliseconds>(t->time_since_epoch()).count(),
            row);
    }
    return chart_element(
        id,
        caption,
        fmt::format("{{\"type\":\"candle\",\"unit\":{},\"labels\":[\"day\",\"open\",\"close\","
                    "\"high\",\"low\"],\"rows\":[{}]}}",
                    json_string(unit),
                    rows));
}

std::string chart_link(const Line& l, std::string_view metric) {
    return href("/chart",
                {{"source", l.source}, {"kind", l.kind}, {"asset", l.asset}, {"metric", metric}});
}

// The figures of each line over the window, as a table (what a reader without JavaScript
// gets, and the exact values beside the chart).
std::string lines_table(const std::vector<const Line*>& lines, bool with_source) {
    std::string out = "<table><thead><tr>";
    if (with_source) {
        out += "<th>source</th><th>asset</th>";
    }
    out += "<th>metric</th><th>from</th><th>to</th><th "
           "class=\"num\">first</th><th class=\"num\">last</th><th class=\"num\">change</th><th "
           "class=\"num\">low</th><th class=\"num\">high</th></tr></thead><tbody>\n";
    for (const Line* l : lines) {
        const auto v = [&](const std::optional<double>& x) {
            return x ? esc(html::value(*x, l->unit)) : std::string("—");
        };
        out += "<tr>";
        if (with_source) {
            out += fmt::format("<td>{}</td><td><a href=\"{}\">{}</a></td>",
                               esc(l->source),
                               chart_link(*l, l->metric),
                               labelled(l->name, l->asset));
        }
        out += fmt::format(
            "<td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td>"
            "<td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td "
            "class=\"num\">{}</td></tr>\n",
            esc(l->metric),
            html::when(l->first_ts),
            html::when(l->last_ts),
            v(l->first),
            v(l->last),
            html::change(l->first && l->last && *l->first != 0
                             ? std::optional(*l->last / *l->first - 1)
                             : std::nullopt),
            v(l->low),
            v(l->high));
    }
    return out + "</tbody></table>\n";
}

// Reads sampled history rows (source, asset, metric, ts, value) into `lines` by their key.
void fill_lines(const Rows& r, std::map<std::string, Line>& lines) {
    for (int i = 0; i < r.size(); ++i) {
        const std::string key = fmt::format(
            "{}\x1f{}\x1f{}", r.text(i, "source"), r.text(i, "asset"), r.text(i, "metric"));
        const auto it = lines.find(key);
        if (it == lines.end()) {
            continue;
        }
        it->second.add(r.text(i, "ts"), r.get(i, "value"));
    }
}

std::string line_key(const Line& l) {
    return fmt::format("{}\x1f{}\x1f{}", l.source, l.asset, l.metric);
}

Line line_of(const Rows& series, int i) {
    Line l;
    l.source = series.text(i, "source");
    l.kind = series.text(i, "kind");
    l.asset = series.text(i, "asset");
    l.name = series.text(i, "name");
    l.metric = series.text(i, "metric");
    l.unit = display_unit(l.source, l.metric, series.text(i, "unit"));
    l.entity = series.text(i, "entity");
    return l;
}

// --- DeFi ---------------------------------------------------------------------------------

// A leader of one metric: its newest value, changes and the last week's values.
struct Leader {
    std::string asset, name, ts;
    double value = 0;
    std::optional<double> d1, d7;
    std::vector<Point> spark;
};

// `v` compared with the value `back` seconds before `t`: the last sampled point at or before
// then (up to a sampling step earlier), if it is at most a day older.
std::optional<double> change_since(const std::vector<Point>& pts, double t, double v, double back) {
    const double target = t - back;
    const Point* found = nullptr;
    for (const auto& p : pts) {
        if (p.first > target) {
            break;
        }
        found = &p;
    }
    if (found == nullptr || found->first < target - k_day || found->second == 0) {
        return std::nullopt;
    }
    return v / found->second - 1;
}

// The `n` largest DefiLlama assets of `kind` by `metric` (the latest view, sorted), with their
// last 8 days sampled every 4 hours (the history view) for changes and sparklines.
std::vector<Leader> leaders(
    db::Connection& conn, core::Time now, std::string_view kind, std::string_view metric, int n) {
    const query::Filter f{.source = "defillama",
                          .kind = std::string(kind),
                          .metric = std::string(metric),
                          .limit = n,
                          .sort = "value",
                          .desc = true};
    const Rows top(conn, query::View::latest, f, now);
    std::vector<Leader> out;
    std::optional<double> newest;
    for (int i = 0; i < top.size(); ++i) {
        const auto v = top.number(i, "value");
        const auto t = top.seconds(i, "ts");
        if (!v || !t) {
            continue;
        }
        out.push_back(
            {top.text(i, "asset"), top.text(i, "name"), top.text(i, "ts"), *v, {}, {}, {}});
        newest = std::max(newest.value_or(*t), *t);
    }
    if (out.empty()) {
        return out;
    }
    query::Filter h;
    h.source = f.source;
    h.kind = f.kind;
    h.metric = f.metric;
    for (const auto& l : out) {
        h.assets.push_back(l.asset);
    }
    h.since = core::Time{std::chrono::seconds(static_cast<long long>(*newest - 8 * k_day))};
    // The last point of every 4 hours: 48 index probes per asset, not 192 hourly ones.
    h.interval = "4 hours";
    h.sampled = true;
    h.limit = static_cast<long long>(n) * 6 * 9;
    const Rows hist(conn, query::View::history, h, now);
    std::map<std::string, std::vector<Point>, std::less<>> by_asset;
    for (int i = 0; i < hist.size(); ++i) {
        const auto t = hist.seconds(i, "ts");
        const auto v = hist.number(i, "value");
        if (t && v) {
            by_asset[hist.text(i, "asset")].emplace_back(*t, *v);
        }
    }
    for (auto& l : out) {
        const auto& pts = by_asset[l.asset];
        const double t = core::to_unix_seconds(*core::parse_time(l.ts));
        l.d1 = change_since(pts, t, l.value, k_day);
        l.d7 = change_since(pts, t, l.value, 7 * k_day);
        for (const auto& p : pts) {
            if (p.first >= t - 7 * k_day && p.first <= t) {
                l.spark.push_back(p);
            }
        }
    }
    return out;
}

std::string leaders_table(const std::vector<Leader>& rows,
                          std::string_view kind,
                          std::string_view metric,
                          std::string_view value_header,
                          std::string_view unit) {
    if (rows.empty()) {
        return empty_note(fmt::format("No {} stored yet (tm pull defillama).", metric));
    }
    std::string out = fmt::format(
        "<table><thead><tr><th class=\"num\">#</th><th>name</th><th class=\"num\">{}</th><th "
        "class=\"num\">1d</th><th class=\"num\">7d</th><th>7 days</th></tr></thead><tbody>\n",
        esc(value_header));
    int rank = 0;
    for (const auto& l : rows) {
        out += fmt::format(
            "<tr><td class=\"num rank\">{}</td><td class=\"name\"><a href=\"{}\">{}</a></td><td "
            "class=\"num\" "
            "title=\"{}\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td>"
            "</tr>\n",
            ++rank,
            href("/chart",
                 {{"source", "defillama"}, {"kind", kind}, {"asset", l.asset}, {"metric", metric}}),
            labelled(l.name, l.asset),
            esc(fmt::format("{} at {}", l.value, l.ts)),
            esc(html::value(l.value, unit)),
            html::change(l.d1),
            html::change(l.d7),
            html::sparkline(l.spark));
    }
    return out + "</tbody></table>\n";
}

// The largest pools by TVL with their APY (base and reward) and utilization: seed 000's view.
std::string pools_table(db::Connection& conn, core::Time now) {
    const auto pools = leaders(conn, now, "pool", "POOL_TVL", 15);
    if (pools.empty()) {
        return empty_note("No pools stored yet (tm pull defillama).");
    }
    query::Filter f;
    f.source = "defillama";
    f.kind = "pool";
    for (const auto& p : pools) {
        f.assets.push_back(p.asset);
    }
    const Rows latest(conn, query::View::latest, f, now);
    std::map<std::pair<std::string, std::string>, double> value;
    for (int i = 0; i < latest.size(); ++i) {
        if (const auto v = latest.number(i, "value")) {
            value[{latest.text(i, "asset"), latest.text(i, "metric")}] = *v;
        }
    }
    const Rows assets(conn, query::View::assets, f, now);
    std::map<std::string, std::string> chain;
    for (int i = 0; i < assets.size(); ++i) {
        chain[assets.text(i, "asset")] = assets.text(i, "chain");
    }
    std::string out = "<table><thead><tr><th>pool</th><th>chain</th><th class=\"num\">TVL</th><th "
                      "class=\"num\">7d</th><th class=\"num\">APY</th><th class=\"num\">base</th>"
                      "<th class=\"num\">reward</th><th class=\"num\">utilization</th><th>TVL, 7 "
                      "days</th></tr></thead><tbody>\n";
    for (const auto& p : pools) {
        const auto cell = [&](const char* metric, const char* unit) {
            const auto it = value.find({p.asset, metric});
            return it == value.end() ? std::string("—") : esc(html::value(it->second, unit));
        };
        out += fmt::format(
            "<tr><td><a href=\"{}\">{}</a></td><td>{}</td><td class=\"num\">{}</td><td "
            "class=\"num\">{}</td><td class=\"num\"><a href=\"{}\">{}</a></td><td "
            "class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\"><a href=\"{}\">{}</a>"
            "</td><td>{}</td></tr>\n",
            href("/chart",
                 {{"source", "defillama"},
                  {"kind", "pool"},
                  {"asset", p.asset},
                  {"metric", "POOL_TVL"}}),
            esc(p.name.empty() ? p.asset : p.name),
            esc(chain[p.asset]),
            esc(html::value(p.value, "usd")),
            html::change(p.d7),
            href(
                "/chart",
                {{"source", "defillama"}, {"kind", "pool"}, {"asset", p.asset}, {"metric", "APY"}}),
            cell("APY", "percent"),
            cell("APY_BASE", "percent"),
            cell("APY_REWARD", "percent"),
            href("/chart",
                 {{"source", "defillama"},
                  {"kind", "pool"},
                  {"asset", p.asset},
                  {"metric", "UTILIZATION"}}),
            cell("UTILIZATION", "ratio"),
            html::sparkline(p.spark));
    }
    return out + "</tbody></table>\n";
}

// --- series pages -------------------------------------------------------------------------

std::string series_index(db::Connection& conn, core::Time now) {
    std::string options;
    for (const auto& s : sources::source_names()) {
        options +=
            fmt::format("<option{}>{}</option>", s == "defillama" ? " selected" : "", esc(s));
    }
    std::string body = section(
        "Find a series",
        fmt::format(
            "<form class=\"find\" method=\"get\" action=\"/chart\"><label>source "
            "<select name=\"source\">{}</select></label> <label>asset <input name=\"asset\" "
            "required placeholder=\"aave-v3, BTC, bitcoin…\"></label> <label>metric <input "
            "name=\"metric\" placeholder=\"TVL, PRICE… (empty: all)\"></label> <button>Show"
            "</button></form>\n",
            options));
    const auto entities = query::stored_entities(conn);
    std::string list;
    for (const auto& e : entities) {
        list += fmt::format(
            "<li><a href=\"{}\">{}</a></li>", esc("/entity/" + html::url_encode(e)), esc(e));
    }
    body += section("Entities: every source's series of one thing, overlaid",
                    entities.empty() ? empty_note("No entity has stored series yet.")
                                     : fmt::format("<ul class=\"entities\">{}</ul>\n", list));
    return html::page("Series", html::Nav::series, body, core::format_iso8601(now));
}

// The series of one asset at one source, each linking to its chart.
std::string asset_index(const Rows& series, const ChartRequest& r, core::Time now) {
    std::string out = "<table><thead><tr><th>metric</th><th>unit</th><th>kind</th><th>first "
                      "point</th><th>last point</th></tr></thead><tbody>\n";
    for (int i = 0; i < series.size(); ++i) {
        const Line l = line_of(series, i);
        out += fmt::format("<tr><td><a href=\"{}\">{}</a></td><td>{}</td><td>{}</td><td>{}</td>"
                           "<td>{}</td></tr>\n",
                           chart_link(l, l.metric),
                           esc(l.metric),
                           esc(series.text(i, "unit")),
                           esc(l.kind),
                           html::when(series.text(i, "first_ts")),
                           html::when(series.text(i, "last_ts")));
    }
    out += "</tbody></table>\n";
    const std::string name = series.text(0, "name");
    return html::page(fmt::format("{} at {}", name.empty() ? *r.asset : name, *r.source),
                      html::Nav::series,
                      section("Series", out),
                      core::format_iso8601(now));
}

// Orders chart groups: prices, TVL and the flows people look at first, then by name.
int group_rank(const std::string& group) {
    constexpr const char* k_first[] = {
        "PRICE", "TVL", "MARKET_CAP", "FEES", "REVENUE", "DEX_VOLUME", "VOLUME", "FUNDING_RATE"};
    for (int i = 0; i < 8; ++i) {
        if (group == k_first[i]) {
            return i;
        }
    }
    return 8;
}

} // namespace

Window parse_window(const std::optional<std::string>& range,
                    const std::optional<std::string>& from,
                    const std::optional<std::string>& to) {
    Window w;
    if (range) {
        if (*range != "7d" && *range != "30d" && *range != "1y" && *range != "all") {
            throw core::UsageError("range must be 7d, 30d, 1y or all");
        }
        w.range = *range;
    }
    const auto time = [](const char* name, const std::string& text) {
        const auto t = core::parse_time(text);
        if (!t) {
            throw core::UsageError(
                fmt::format("{} must be an ISO-8601 time such as 2024-03-13T05:00:00Z", name));
        }
        return *t;
    };
    if (from) {
        w.from = time("from", *from);
    }
    if (to) {
        if (!from) {
            throw core::UsageError("to= goes with from=");
        }
        w.to = time("to", *to);
        if (*w.to <= *w.from) {
            throw core::UsageError("to must be after from");
        }
    }
    return w;
}

std::string overview_page(db::Connection& conn, core::Time now, const query::FeedLimits& limits) {
    const auto feeds = query::feed_status(conn, now, limits);
    const long long size = query::database_size(conn);
    const auto points = query::points_estimate(conn);
    long long series = 0, open_alerts = 0;
    query::Health worst = query::Health::ok;
    for (const auto& f : feeds) {
        series += f.series;
        open_alerts += f.open_alerts;
        worst = std::max(worst, f.health);
    }
    const auto health_class = [](query::Health h) {
        return h == query::Health::ok ? "ok" : h == query::Health::warning ? "warning" : "critical";
    };
    std::string body = "<div class=\"tiles\">";
    const auto tile = [&](std::string_view label, const std::string& value) {
        body += fmt::format(
            "<div class=\"tile\"><div class=\"label\">{}</div><div class=\"big\">{}</div></div>",
            esc(label),
            value);
    };
    tile("health",
         feeds.empty() ? html::badge("UNKNOWN", "unknown")
                       : html::badge(query::health_name(worst), health_class(worst)));
    tile("sources", std::to_string(feeds.size()));
    tile("series", esc(core::strings::group_thousands(series)));
    tile("points (estimate)",
         points ? esc("≈ " + report::round_for_people(static_cast<double>(*points))) : "-");
    tile("open alerts",
         fmt::format("<a href=\"/journal\">{}</a>",
                     esc(core::strings::group_thousands(open_alerts))));
    tile("database", esc(bytes(size)));
    body += "</div>\n";

    std::string table =
        "<table><thead><tr><th>source</th><th>health</th><th>last pull</th><th>status</th><th "
        "class=\"num\">failures in a row</th><th>newest point</th><th class=\"num\">age</th><th "
        "class=\"num\">max age</th><th class=\"num\">series</th><th class=\"num\">open "
        "alerts</th><th>why</th></tr></thead><tbody>\n";
    for (const auto& f : feeds) {
        table += fmt::format(
            "<tr><td><a href=\"{}\">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td "
            "class=\"num\">{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td "
            "class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td></tr>\n",
            href("/journal", {{"source", f.source}}),
            esc(f.source),
            html::badge(query::health_name(f.health), health_class(f.health)),
            f.last_pull_at ? html::when(*f.last_pull_at) : "—",
            esc(f.last_pull_status.value_or("—")),
            f.failures_in_a_row,
            f.newest_point ? html::when(*f.newest_point) : "—",
            f.age_seconds ? age(*f.age_seconds) : "—",
            f.max_age ? age(std::chrono::duration<double>(*f.max_age).count()) : "—",
            esc(core::strings::group_thousands(f.series)),
            f.open_alerts,
            esc(f.reason));
    }
    table += "</tbody></table>\n";
    body += section("Feeds (as tm status judges them)",
                    feeds.empty() ? empty_note("Nothing pulled yet: run tm pull SOURCE.") : table);

    query::Filter a;
    a.limit = 10;
    const Rows alerts(conn, query::View::alerts, a, now);
    std::string list = "<table><thead><tr><th>severity</th><th>rule</th><th>subject</th><th>opened"
                       "</th><th>message</th></tr></thead><tbody>\n";
    for (int i = 0; i < alerts.size(); ++i) {
        list +=
            fmt::format("<tr><td>{}</td><td>{}</td><td class=\"name\">{}</td><td>{}</td><td "
                        "class=\"msg\">{}</td></tr>\n",
                        html::badge(alerts.text(i, "severity"), alerts.text(i, "severity")),
                        esc(alerts.text(i, "rule")),
                        alerts.get(i, "asset")
                            ? fmt::format("{} · {} · {}",
                                          esc(alerts.text(i, "source")),
                                          labelled(alerts.text(i, "name"), alerts.text(i, "asset")),
                                          esc(alerts.text(i, "metric")))
                            : esc(alerts.text(i, "subject")),
                        html::when(alerts.text(i, "opened_at")),
                        esc(alerts.text(i, "message")));
    }
    list += "</tbody></table>\n";
    body += section("Open alerts (newest 10; all of them in Alerts & pulls)",
                    alerts.size() == 0 ? empty_note("No open alerts.") : list);
    return html::page("Overview", html::Nav::overview, body, core::format_iso8601(now));
}

std::string defi_page(db::Connection& conn, core::Time now) {
    struct Table {
        const char* title;
        const char* kind;
        const char* metric;
        const char* header;
        int rows;
    };
    constexpr Table k_tables[] = {
        {"Protocols by TVL", "protocol", "TVL", "TVL", 15},
        {"Chains by TVL", "chain", "CHAIN_TVL", "TVL", 15},
        {"Fees, last day", "protocol", "FEES_24H", "fees", 10},
        {"Revenue, last day", "protocol", "REVENUE_24H", "revenue", 10},
        {"DEX volume, last day", "protocol", "DEX_VOLUME_24H", "volume", 10},
        {"Stablecoins by supply", "stablecoin", "STABLECOIN_SUPPLY", "supply", 10},
    };
    std::string body = "<div class=\"grid\">";
    for (const auto& t : k_tables) {
        body += section(
            t.title,
            leaders_table(
                leaders(conn, now, t.kind, t.metric, t.rows), t.kind, t.metric, t.header, "usd"));
    }
    body += "</div>\n";
    body += section("Pools: APY and utilization (largest by TVL)", pools_table(conn, now), "wide");
    return html::page("DeFi", html::Nav::defi, body, core::format_iso8601(now));
}

std::string chart_page(db::Connection& conn, core::Time now, const ChartRequest& r) {
    if (!r.source) {
        return series_index(conn, now);
    }
    sources::require_source(*r.source);
    if (!r.asset) {
        throw core::UsageError("asset= goes with source= (the source's own id: aave-v3, BTC…)");
    }
    query::Filter f;
    f.source = r.source;
    f.assets = {*r.asset};
    f.kind = r.kind;
    const Rows series(conn, query::View::series, f, now);
    if (series.size() == 0) {
        throw NotFound{fmt::format("{} has no series of '{}'", *r.source, *r.asset)};
    }
    if (!r.metric) {
        return asset_index(series, r, now);
    }
    const std::string group = chart_group(*r.source, *r.metric);
    std::map<std::string, Line> lines;
    std::optional<core::Time> first;
    std::vector<std::string> metrics;
    bool has_price = false;
    std::string entity;
    for (int i = 0; i < series.size(); ++i) {
        Line l = line_of(series, i);
        metrics.push_back(l.metric);
        if (chart_group(l.source, l.metric) != group) {
            continue;
        }
        if (const auto t = core::parse_time(series.text(i, "first_ts"))) {
            first = std::min(first.value_or(*t), *t);
        }
        has_price = has_price || l.metric == "PRICE";
        entity = l.entity.empty() ? entity : l.entity;
        l.label = l.metric;
        lines.emplace(line_key(l), std::move(l));
    }
    if (lines.empty()) {
        throw NotFound{fmt::format("{} '{}' has no {} (it has {})",
                                   *r.source,
                                   *r.asset,
                                   *r.metric,
                                   fmt::join(metrics, ", "))};
    }
    const Span s = span_of(r.window, now);
    const std::string interval = interval_for(s, now, first);
    for (auto& [key, l] : lines) {
        query::Filter h;
        h.source = l.source;
        h.kind = l.kind;
        h.assets = {l.asset};
        h.metric = l.metric;
        h.since = s.since;
        h.until = s.until;
        h.interval = interval;
        h.sampled = true;
        h.limit = k_max_chart_rows;
        fill_lines(Rows(conn, query::View::history, h, now), lines);
    }
    std::vector<const Line*> drawn;
    for (const auto& [key, l] : lines) {
        drawn.push_back(&l);
    }
    const Line& head = *drawn.front();
    const std::string name = head.name.empty() ? head.asset : head.name;
    std::string body = range_links(r.window,
                                   "/chart",
                                   {{"source", *r.source},
                                    {"kind", r.kind.value_or("")},
                                    {"asset", *r.asset},
                                    {"metric", *r.metric}});
    if (!entity.empty()) {
        body +=
            fmt::format("<p class=\"aside\">Every source of <a href=\"{}\">{}</a>, overlaid.</p>\n",
                        esc("/entity/" + html::url_encode(entity)),
                        esc(entity));
    }
    if (has_price) {
        query::Filter o;
        o.source = r.source;
        o.assets = {*r.asset};
        o.since = s.since;
        o.until = s.until;
        o.limit = k_max_chart_rows;
        const Rows candles(conn, query::View::ohlcv, o, now);
        if (candles.size() > 0) {
            body += candle_chart("candles", "Daily candles (daily_ohlcv)", candles, "usd");
        }
    }
    body += line_chart(
        "chart-1",
        fmt::format("{} by {} ({} {})", esc(group), interval, esc(*r.source), esc(*r.asset)),
        drawn);
    body += section("Figures over the window", lines_table(drawn, false));
    return html::page(fmt::format("{} · {} · {}", name, *r.source, group),
                      html::Nav::series,
                      body,
                      core::format_iso8601(now));
}

std::string
entity_page(db::Connection& conn, core::Time now, const std::string& entity, const Window& w) {
    query::Filter f;
    f.entity = entity;
    const Rows series(conn, query::View::series, f, now);
    if (series.size() == 0) {
        throw NotFound{fmt::format("no series stored for entity '{}'", entity)};
    }
    std::map<std::string, Line> lines;
    std::optional<core::Time> first;
    for (int i = 0; i < series.size(); ++i) {
        Line l = line_of(series, i);
        l.label = fmt::format("{} · {} · {}", l.source, l.asset, l.metric);
        if (const auto t = core::parse_time(series.text(i, "first_ts"))) {
            first = std::min(first.value_or(*t), *t);
        }
        lines.emplace(line_key(l), std::move(l));
    }
    const Span s = span_of(w, now);
    const std::string interval = interval_for(s, now, first);
    query::Filter h;
    h.entity = entity;
    h.since = s.since;
    h.until = s.until;
    h.interval = interval;
    h.sampled = true;
    h.limit = k_max_chart_rows;
    fill_lines(Rows(conn, query::View::history, h, now), lines);

    // One chart per group, each series on the group's axis.
    std::map<std::pair<int, std::string>, std::vector<const Line*>> groups;
    for (const auto& [key, l] : lines) {
        const std::string g = chart_group(l.source, l.metric);
        groups[{group_rank(g), g}].push_back(&l);
    }
    std::string body = range_links(w, "/entity/" + entity, {});
    int n = 0;
    std::vector<const Line*> quiet; // no point in the window
    for (const auto& [key, group] : groups) {
        std::vector<const Line*> drawn;
        for (const Line* l : group) {
            (l->points.empty() ? quiet : drawn).push_back(l);
        }
        if (drawn.empty()) {
            continue;
        }
        const std::string caption =
            fmt::format("{} · {} series by {}", esc(key.second), drawn.size(), interval);
        body += "<div class=\"pair\">";
        body += line_chart(fmt::format("chart-{}", ++n), caption, drawn);
        body += lines_table(drawn, true);
        body += "</div>\n";
    }
    if (n == 0) {
        body += empty_note("No points in this window: choose a longer range.");
    }
    if (!quiet.empty()) {
        std::string list;
        for (const Line* l : quiet) {
            list += fmt::format("<li><a href=\"{}\">{} · {} · {}</a></li>",
                                chart_link(*l, l->metric),
                                esc(l->source),
                                esc(l->asset),
                                esc(l->metric));
        }
        body += section("Series with no points in this window",
                        fmt::format("<ul class=\"quiet\">{}</ul>\n", list));
    }
    return html::page(fmt::format("{}: every source", entity),
                      html::Nav::series,
                      body,
                      core::format_iso8601(now));
}

namespace {

// The alerts of `status` (open or resolved), newest first, each with a link to its chart.
std::string alerts_table(db::Connection& conn,
                         core::Time now,
                         const std::optional<std::string>& source,
                         const std::string& status,
                         long long limit) {
    const query::Filter f{.source = source, .limit = limit, .status = status};
    const Rows a(conn, query::View::alerts, f, now);
    if (a.size() == 0) {
        return empty_note(status == "open" ? "No open alerts." : "No resolved alerts.");
    }
    std::string out =
        "<table><thead><tr><th>severity</th><th>rule</th><th>series</th><th "
        "class=\"num\">value</th><th class=\"num\">baseline</th><th class=\"num\">change</th>"
        "<th>opened</th><th>last seen</th><th>resolved</th><th>message</th><th></th></tr>"
        "</thead><tbody>\n";
    for (int i = 0; i < a.size(); ++i) {
        const auto v = a.number(i, "value");
        const auto b = a.number(i, "baseline");
        const auto opened = core::parse_time(a.text(i, "opened_at"));
        const auto end = core::parse_time(a.get(i, "resolved_at") ? a.text(i, "resolved_at")
                                                                  : a.text(i, "last_seen_at"));
        std::string subject = esc(a.text(i, "subject"));
        std::string chart;
        if (a.get(i, "asset") && opened) {
            subject = fmt::format("{} · {} · {}",
                                  esc(a.text(i, "source")),
                                  labelled(a.text(i, "name"), a.text(i, "asset")),
                                  esc(a.text(i, "metric")));
            // The week before the alert and two days after it ended.
            chart = fmt::format(
                "<a href=\"{}\">chart</a>",
                href("/chart",
                     {{"source", a.text(i, "source")},
                      {"asset", a.text(i, "asset")},
                      {"metric", a.text(i, "metric")},
                      {"from", core::format_iso8601(*opened - 7 * std::chrono::days{1})},
                      {"to",
                       core::format_iso8601(end.value_or(*opened) + 2 * std::chrono::days{1})}}));
        }
        out += fmt::format(
            "<tr><td>{}</td><td>{}</td><td class=\"name\">{}</td><td class=\"num\">{}</td><td "
            "class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td><td>{}</td><td>{}</td>"
            "<td class=\"msg\">{}</td><td>{}</td></tr>\n",
            html::badge(a.text(i, "severity"), a.text(i, "severity")),
            esc(a.text(i, "rule")),
            subject,
            v ? esc(report::round_for_people(*v)) : "—",
            b ? esc(report::round_for_people(*b)) : "—",
            html::change(v && b && *b != 0 ? std::optional(*v / *b - 1) : std::nullopt),
            html::when(a.text(i, "opened_at")),
            html::when(a.text(i, "last_seen_at")),
            a.get(i, "resolved_at") ? html::when(a.text(i, "resolved_at")) : "—",
            esc(a.text(i, "message")),
            chart);
    }
    return out + "</tbody></table>\n";
}

// The newest 50 pulls and backfills, with their counts and first error.
std::string
pulls_section(db::Connection& conn, core::Time now, const std::optional<std::string>& source) {
    query::Filter p;
    p.source = source;
    p.limit = 50;
    const Rows pulls(conn, query::View::pulls, p, now);
    std::string table =
        "<table><thead><tr><th class=\"num\">id</th><th>source</th><th>kind</th><th>status</th>"
        "<th>started</th><th class=\"num\">took</th><th class=\"num\">requests</th><th "
        "class=\"num\">failed</th><th class=\"num\">inserted</th><th class=\"num\">updated</th>"
        "<th>error</th></tr></thead><tbody>\n";
    for (int i = 0; i < pulls.size(); ++i) {
        const auto started = pulls.seconds(i, "started_at");
        const auto finished = pulls.seconds(i, "finished_at");
        const std::string status = pulls.text(i, "status");
        table += fmt::format(
            "<tr><td class=\"num\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td "
            "class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td "
            "class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"msg\">{}</td></tr>\n",
            esc(pulls.text(i, "pull_id")),
            esc(pulls.text(i, "source")),
            esc(pulls.text(i, "kind")),
            html::badge(status,
                        status == "ok"        ? "ok"
                        : status == "partial" ? "warning"
                        : status == "failed"  ? "critical"
                                              : "unknown"),
            html::when(pulls.text(i, "started_at")),
            started && finished ? age(*finished - *started) : "—",
            esc(core::strings::group_thousands(
                core::strings::parse_int(pulls.text(i, "requests")).value_or(0))),
            esc(pulls.text(i, "failed_requests")),
            esc(core::strings::group_thousands(
                core::strings::parse_int(pulls.text(i, "points_inserted")).value_or(0))),
            esc(core::strings::group_thousands(
                core::strings::parse_int(pulls.text(i, "points_updated")).value_or(0))),
            esc(pulls.text(i, "error")));
    }
    table += "</tbody></table>\n";
    return section(
        "Pulls (newest 50)", pulls.size() == 0 ? empty_note("No pulls yet.") : table, "wide");
}

// The newest 100 rows of pull_errors.
std::string pull_errors_section(db::Connection& conn,
                                core::Time now,
                                const std::optional<std::string>& source) {
    query::Filter p;
    p.source = source;
    p.limit = 100;
    const Rows errors(conn, query::View::pull_errors, p, now);
    std::string list =
        "<table><thead><tr><th class=\"num\">pull</th><th>source</th><th>started</th>"
        "<th>asset</th><th>request</th><th>error</th></tr></thead><tbody>\n";
    for (int i = 0; i < errors.size(); ++i) {
        list += fmt::format("<tr><td class=\"num\">{}</td><td>{}</td><td>{}</td><td>{}</td><td "
                            "class=\"msg\">{}</td><td class=\"msg\">{}</td></tr>\n",
                            esc(errors.text(i, "pull_id")),
                            esc(errors.text(i, "source")),
                            html::when(errors.text(i, "started_at")),
                            esc(errors.text(i, "asset")),
                            esc(errors.text(i, "request")),
                            esc(errors.text(i, "error")));
    }
    list += "</tbody></table>\n";
    return section("Pull errors (newest 100)",
                   errors.size() == 0 ? empty_note("No pull errors.") : list,
                   "wide");
}

} // namespace

std::string journal_page(db::Connection& conn, core::Time now, const JournalRequest& r) {
    std::string options = "<option value=\"\">all sources</option>";
    for (const auto& s : sources::source_names()) {
        options += fmt::format("<option{}>{}</option>", r.source == s ? " selected" : "", esc(s));
    }
    std::string body =
        fmt::format("<form class=\"find\" method=\"get\" action=\"/journal\"><label>source <select "
                    "name=\"source\">{}</select></label> <button>Show</button></form>\n",
                    options);

    body += section("Open alerts", alerts_table(conn, now, r.source, "open", 200), "wide");
    body += section(
        "Resolved alerts (newest 50)", alerts_table(conn, now, r.source, "resolved", 50), "wide");
    body += pulls_section(conn, now, r.source);
    body += pull_errors_section(conn, now, r.source);
    return html::page("Alerts and pulls", html::Nav::alerts, body, core::format_iso8601(now));
}

std::string error_page(int status, const std::string& message, core::Time now) {
    return html::page(fmt::format("{}",
                                  status == 404   ? "Not found"
                                  : status == 400 ? "Bad request"
                                                  : "Unavailable"),
                      html::Nav::overview,
                      fmt::format("<p class=\"error\">{}</p>\n<p><a href=\"/\">Overview</a> · <a "
                                  "href=\"/chart\">Series</a></p>\n",
                                  esc(message)),
                      core::format_iso8601(now));
}

} // namespace serve
