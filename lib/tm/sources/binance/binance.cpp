#include <tm/http/url.hpp>
#include <tm/json/reader.hpp>
#include <tm/sources/binance/binance.hpp>

#include <fmt/format.h>

#include <chrono>

namespace sources::binance {
namespace {

using json::Path;
using simdjson::ondemand::object;

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
    const core::Time ts = core::from_unix_millis(static_cast<int64_t>(*close_ms));
    const auto add = [&](const char* metric, const std::optional<double>& v) {
        if (v) {
            out.add(out.series(k_source, *symbol, metric), ts, *v);
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

Binance::Binance(const Selection& selection, Mode mode)
    : TickerSource({k_source,
                    "spot tickers (price, 24h volume)",
                    {{"TM_BINANCE_URL", "https://api.binance.com", "spot market data"}},
                    {},
                    std::chrono::minutes{1}},
                   selection,
                   mode,
                   {"BTCUSDT", "ETHUSDT", "ZECUSDT"}) {
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

} // namespace sources::binance
