#include <tm/http/url.hpp>
#include <tm/json/reader.hpp>
#include <tm/sources/coinbase/coinbase.hpp>
#include <tm/sources/price.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <iterator>

namespace sources::coinbase {

void parse_ticker(std::string& body, const std::string& product, store::Batch& out) {
    std::string wrapped = fmt::format("[{}]", body);
    json::for_each_object(wrapped, [&](simdjson::ondemand::object& obj, const json::Path& at) {
        std::optional<double> price, volume;
        std::optional<core::Time> ts;
        json::for_each_field(
            obj, at, [&](std::string_view key, json::value v, const json::Path& here) {
                if (key == "price") {
                    price = json::number_or_null(v, here);
                } else if (key == "volume") {
                    volume = json::number_or_null(v, here);
                } else if (key == "time") {
                    const auto text = json::string_or_null(v, here);
                    ts = text ? core::parse_time(*text) : std::nullopt;
                    if (!ts) {
                        throw json::ShapeError(here, "expected an ISO-8601 time");
                    }
                }
            });
        if (!ts) {
            throw json::ShapeError(at.key("time"), "missing");
        }
        if (auto traded = traded_price(price)) {
            out.add(out.series(k_source, store::AssetKind::pair, product, "PRICE"), *ts, *traded);
        }
        if (volume) {
            out.add(
                out.series(k_source, store::AssetKind::pair, product, "VOLUME_24H"), *ts, *volume);
        }
    });
}

Coinbase::Coinbase(const Selection& selection, Mode mode)
    : TickerSource(
        {k_source,
         "spot tickers (price, 24h volume)",
         {{"TM_COINBASE_URL", "https://api.exchange.coinbase.com", "Coinbase Exchange public API"}},
         {},
         std::chrono::minutes{1}},
        selection,
        mode,
        {"BTC-USD", "ETH-USD", "ZEC-USD"}),
      m_missing(
          "Coinbase product", http::get(base() + "/products", "GET /products"), parse_products) {
    // Public endpoints allow about 10 requests a second; tm keeps to 2; one request per product.
    m_info.budget_per_minute = 120;
    m_info.pull_cost = static_cast<double>(pairs().size());
}

std::vector<std::string> parse_products(std::string& body) {
    std::vector<std::string> ids;
    json::for_each_object(body, [&](simdjson::ondemand::object& obj, const json::Path& at) {
        json::for_each_field(
            obj, at, [&](std::string_view key, json::value v, const json::Path& here) {
                if (key == "id") {
                    if (auto id = json::string_or_null(v, here)) {
                        ids.push_back(std::move(*id));
                    }
                }
            });
    });
    return ids;
}

bool Coinbase::plan_pull(PullContext& ctx, int phase) {
    if (phase == 0) {
        m_missing.clear();
        for (const auto& product : pairs()) {
            ctx.fetch(
                http::get(
                    fmt::format("{}/products/{}/ticker", base(), http::percent_encode(product)),
                    fmt::format("GET /products/{}/ticker", product)),
                product,
                [product](std::string& b, store::Batch& o, std::vector<store::Asset>&) {
                    parse_ticker(b, product, o);
                },
                // Coinbase answers an unknown product with 404 {"message":"NotFound"}.
                [this, product](const http::Response& r) {
                    if (r.status != 404) {
                        return false;
                    }
                    m_missing.add(product);
                    return true;
                });
        }
        return true;
    }
    if (m_missing.report(ctx, pairs().size())) {
        return true;
    }
    std::vector<std::string> found;
    std::copy_if(pairs().begin(),
                 pairs().end(),
                 std::back_inserter(found),
                 [&](const auto& product) { return !m_missing.contains(product); });
    add_assets(ctx, found);
    return false;
}

} // namespace sources::coinbase
