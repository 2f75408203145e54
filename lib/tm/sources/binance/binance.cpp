#include <tm/core/strings.hpp>
#include <tm/http/url.hpp>
#include <tm/json/reader.hpp>
#include <tm/sources/binance/binance.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <optional>

namespace sources::binance {
namespace {

using json::Path;
using simdjson::ondemand::object;

// "1h" → "1H": the metric suffix that keeps candle intervals apart.
std::string upper(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) {
        return static_cast<char>(std::toupper(c));
    });
    return s;
}

void read_ticker(object& obj, const Path& at, store::Batch& out) {
    std::optional<std::string> symbol;
    std::optional<double> price, volume, quote, close_ms;
    json::for_each_field(obj, at, [&](std::string_view key, json::value v, const Path& here) {
        if (key == "symbol") {
            symbol = json::string_or_null(v, here);
        } else if (key == "lastPrice") {
            price = json::number_or_null(v, here);
        } else if (key == "volume") {
            volume = json::number_or_null(v, here);
        } else if (key == "quoteVolume") {
            quote = json::number_or_null(v, here);
        } else if (key == "closeTime") {
            close_ms = json::number_or_null(v, here);
        }
    });
    if (!symbol || !close_ms) {
        throw json::ShapeError(at, "expected symbol and closeTime");
    }
    const core::Time ts = core::from_unix_millis(core::strings::to_int64(*close_ms));
    const auto add = [&](const char* metric, const std::optional<double>& v) {
        if (v) {
            out.add(out.series(k_source, store::AssetKind::pair, *symbol, metric), ts, *v);
        }
    };
    add("PRICE", price);
    add("VOLUME_24H", volume);
    add("QUOTE_VOLUME_24H", quote);
}

} // namespace

void parse_tickers(std::string& body, store::Batch& out) {
    // `symbol=` answers one object, `symbols=[…]` an array of them.
    const auto first = body.find_first_not_of(" \t\r\n");
    if (first != std::string::npos && body[first] == '{') {
        std::string wrapped = fmt::format("[{}]", body);
        json::for_each_object(wrapped,
                              [&](object& obj, const Path& at) { read_ticker(obj, at, out); });
        return;
    }
    json::for_each_object(body, [&](object& obj, const Path& at) { read_ticker(obj, at, out); });
}

size_t parse_klines(std::string& body,
                    const std::string& symbol,
                    const std::string& interval,
                    store::Batch& out,
                    int64_t& last_open_ms) {
    const std::string suffix = upper(interval);
    static constexpr const char* k_fields[] = {"OPEN", "HIGH", "LOW", "CLOSE", "VOLUME"};
    store::SeriesRef series[5];
    for (int f = 0; f < 5; ++f) {
        series[f] = out.series(
            k_source, store::AssetKind::pair, symbol, fmt::format("{}_{}", k_fields[f], suffix));
    }
    simdjson::ondemand::parser parser;
    simdjson::ondemand::document doc;
    const Path root;
    json::check(parser.iterate(json::padded(body)).get(doc), root);
    simdjson::ondemand::array rows;
    if (doc.get_array().get(rows) != simdjson::SUCCESS) {
        throw json::ShapeError(root, "expected an array of klines");
    }
    size_t count = 0;
    long r = 0;
    for (auto row : rows) {
        const Path at = root.index(r++);
        simdjson::ondemand::array cells;
        json::check(row.get_array().get(cells), at);
        std::optional<double> open_ms;
        double values[5] = {};
        bool present[5] = {};
        long c = 0;
        for (auto cell : cells) {
            json::value v;
            json::check(cell.get(v), at.index(c));
            if (c == 0) {
                open_ms = json::number_or_null(v, at.index(c));
            } else if (c <= 5) {
                if (auto x = json::number_or_null(v, at.index(c))) {
                    values[c - 1] = *x;
                    present[c - 1] = true;
                }
            }
            ++c;
        }
        if (!open_ms || c < 6) {
            throw json::ShapeError(at, "expected [openTime, open, high, low, close, volume, …]");
        }
        const auto ms = core::strings::to_int64(*open_ms);
        last_open_ms = std::max(last_open_ms, ms);
        for (int f = 0; f < 5; ++f) {
            if (present[f]) {
                out.add(series[f], core::from_unix_millis(ms), values[f]);
            }
        }
        ++count;
    }
    json::expect_end(doc);
    return count;
}

Binance::Binance(const Selection& selection, Mode mode)
    : TickerSource({k_source,
                    "spot tickers (price, 24h volume)",
                    {{"TM_BINANCE_URL", "https://api.binance.com", "spot market data"}},
                    {},
                    std::chrono::minutes{1}},
                   selection,
                   mode,
                   {"BTCUSDT", "ETHUSDT", "ZECUSDT"},
                   true),
      m_interval(selection.interval) {
    // Request weight 6,000 a minute per IP; tm keeps to a fifth. A ticker call for up to 20
    // symbols weighs 2.
    m_info.budget_per_minute = 1200;
    m_info.pull_cost = 2.0 * static_cast<double>((pairs().size() + 19) / 20);
}

bool Binance::plan_pull(PullContext& ctx, int) {
    for (size_t i = 0; i < pairs().size(); i += 20) {
        std::string list;
        for (size_t j = i; j < std::min(pairs().size(), i + 20); ++j) {
            list += fmt::format("{}\"{}\"", list.empty() ? "" : ",", pairs()[j]);
        }
        auto request = http::get(fmt::format("{}/api/v3/ticker/24hr?symbols={}",
                                             base(),
                                             http::percent_encode(fmt::format("[{}]", list))),
                                 "GET /api/v3/ticker/24hr");
        request.weight = 2;
        const std::string label = request.label;
        ctx.fetch(
            std::move(request),
            "",
            [](std::string& b, store::Batch& o, std::vector<store::Asset>&) {
                parse_tickers(b, o);
            },
            [&ctx, label](const http::Response& r) {
                if (r.status == 418 || r.status == 451) {
                    ctx.record_error(
                        "",
                        label,
                        r.status == 418
                            ? "HTTP 418: Binance has banned this IP for ignoring rate limits; "
                              "wait (minutes to days) before pulling again"
                            : "HTTP 451: Binance refuses this location; point TM_BINANCE_URL at "
                              "https://api.binance.us or https://data-api.binance.vision");
                    return true;
                }
                return false;
            });
    }
    add_assets(ctx);
    return false;
}

void Binance::page(BackfillContext& ctx, std::string symbol, core::Time start) {
    if (start >= ctx.to()) {
        return;
    }
    using std::chrono::duration_cast;
    using std::chrono::milliseconds;
    const auto start_ms = duration_cast<milliseconds>(start.time_since_epoch()).count();
    const auto end_ms = duration_cast<milliseconds>(ctx.to().time_since_epoch()).count() - 1;
    auto request = http::get(
        fmt::format("{}/api/v3/klines?symbol={}&interval={}&startTime={}&endTime={}&limit=1000",
                    base(),
                    http::percent_encode(symbol),
                    m_interval,
                    start_ms,
                    end_ms),
        fmt::format("GET /api/v3/klines {}", symbol));
    request.weight = 2;
    Chunk chunk{{}, ctx.to()};
    for (const char* field : {"OPEN", "HIGH", "LOW", "CLOSE", "VOLUME"}) {
        const std::string suffix = upper(m_interval);
        chunk.keys.push_back({symbol, fmt::format("{}_{}", field, suffix)});
    }
    // A full page (1,000 candles) lowers the chunk's end to just after its last candle.
    ctx.fetch_chunk(
        std::move(request),
        std::move(chunk),
        [symbol, interval = m_interval](std::string& b, store::Batch& o, core::Time& through) {
            int64_t last_open = 0;
            if (parse_klines(b, symbol, interval, o, last_open) >= 1000) {
                through = core::from_unix_millis(last_open + 1);
            }
        },
        [this, &ctx, symbol](core::Time through) {
            if (through < ctx.to()) {
                page(ctx, symbol, through);
            }
        });
}

bool Binance::plan_backfill(BackfillContext& ctx, int) {
    const core::Time from =
        ctx.from() == core::Time::min()
            ? core::floor_to(ctx.now(), std::chrono::days{1}) - std::chrono::days{365}
            : ctx.from();
    for (const auto& symbol : pairs()) {
        const std::string suffix = upper(m_interval);
        const auto done = ctx.done_through({symbol, fmt::format("CLOSE_{}", suffix)});
        page(ctx, symbol, std::max(from, done.value_or(from)));
    }
    add_assets(ctx);
    return false;
}

} // namespace sources::binance
