#include <tm/http/url.hpp>
#include <tm/json/reader.hpp>
#include <tm/sources/kraken/kraken.hpp>

#include <fmt/format.h>

#include <chrono>

namespace sources::kraken {

using json::Path;
using simdjson::ondemand::json_type;
using simdjson::ondemand::object;

namespace {

// The first element of a ["price", "volume", …] array.
std::optional<double> element(json::value v, const Path& at, long wanted) {
    simdjson::ondemand::array items;
    json::check(v.get_array().get(items), at);
    long i = 0;
    std::optional<double> out;
    for (auto item : items) {
        json::value x;
        json::check(item.get(x), at.index(i));
        if (i == wanted) {
            out = json::number_or_null(x, at.index(i));
        }
        ++i;
    }
    return out;
}

} // namespace

void parse_ticker(std::string& body, const std::string& pair, core::Time ts, store::Batch& out) {
    simdjson::ondemand::parser parser;
    simdjson::ondemand::document doc;
    const Path root;
    json::check(parser.iterate(json::padded(body)).get(doc), root);
    object top;
    if (doc.get_object().get(top) != simdjson::SUCCESS) {
        throw json::ShapeError(root, "expected an object");
    }
    std::vector<std::string> errors;
    int entries = 0;
    json::for_each_field(top, root, [&](std::string_view key, json::value v, const Path& at) {
        if (key == "error") {
            errors = json::string_list(v, at);
        } else if (key == "result") {
            object result;
            json::check(v.get_object().get(result), at);
            json::for_each_field(
                result, at, [&](std::string_view, json::value ticker, const Path& t_at) {
                    if (++entries > 1) {
                        return; // one pair asked, one answered; anything more is not ours
                    }
                    object fields;
                    json::check(ticker.get_object().get(fields), t_at);
                    json::for_each_field(
                        fields, t_at, [&](std::string_view f, json::value x, const Path& x_at) {
                            if (f == "c") {
                                if (auto price = element(x, x_at, 0)) {
                                    out.add(
                                        out.series(k_source, store::AssetKind::pair, pair, "PRICE"),
                                        ts,
                                        *price);
                                }
                            } else if (f == "v") {
                                if (auto volume = element(x, x_at, 1)) {
                                    out.add(
                                        out.series(
                                            k_source, store::AssetKind::pair, pair, "VOLUME_24H"),
                                        ts,
                                        *volume);
                                }
                            }
                        });
                });
        }
    });
    if (!errors.empty()) {
        throw core::DataError(fmt::format("Kraken says {}", fmt::join(errors, "; ")));
    }
    if (entries == 0) {
        throw json::ShapeError(root.key("result"), "no ticker in the answer");
    }
}

Kraken::Kraken(const Selection& selection, Mode mode)
    : TickerSource({k_source,
                    "spot tickers (price, 24h volume)",
                    {{"TM_KRAKEN_URL", "https://api.kraken.com", "public market data"}},
                    {},
                    std::chrono::minutes{1}},
                   selection,
                   mode,
                   {"XBTUSD", "ETHUSD", "ZECUSD"}) {
    // About one public request a second per IP (ccxt's rateLimit 1000 ms); one request per pair.
    m_info.budget_per_minute = 60;
    m_info.pull_cost = static_cast<double>(pairs().size());
}

bool Kraken::plan_pull(PullContext& ctx, int) {
    const core::Time ts = ctx.snapshot_time();
    for (const auto& pair : pairs()) {
        ctx.fetch(
            http::get(fmt::format("{}/0/public/Ticker?pair={}", base(), http::percent_encode(pair)),
                      fmt::format("GET /0/public/Ticker {}", pair)),
            pair,
            [pair, ts](std::string& b, store::Batch& o, std::vector<store::Asset>&) {
                parse_ticker(b, pair, ts, o);
            });
    }
    add_assets(ctx);
    return false;
}

} // namespace sources::kraken
