#include "batch_helpers.hpp"

#include <tm/core/files.hpp>
#include <tm/sources/binance/binance.hpp>
#include <tm/sources/coinbase/coinbase.hpp>
#include <tm/sources/coingecko/parse.hpp>
#include <tm/sources/hyperliquid/parse.hpp>
#include <tm/sources/kraken/kraken.hpp>

#include <catch2/catch.hpp>
#include <fmt/format.h>

namespace {

std::string fixture(const std::string& name) {
    return core::files::read(std::string(TM_FIXTURE_DIR) + "/" + name);
}

const core::Time k_ts = core::from_unix_seconds(1689657600);

} // namespace

TEST_CASE("coingecko parsers on the real recorded and documented responses") {
    std::string price = fixture("coingecko/simple_price_ethereum_usd_jkorf.json");
    store::Batch b;
    sources::coingecko::parse_simple_price(price, k_ts, b);
    REQUIRE(b.size() == 1); // no market cap, volume or time asked for in that recording
    CHECK(value_of(b, "ethereum", "PRICE") == 1498.64);
    CHECK(b.times()[0] == k_ts);

    std::string chart = fixture("coingecko/coins_id_market_chart_range_docs-example_jkorf.json");
    store::Batch c;
    sources::coingecko::parse_market_chart(chart, "bitcoin", c);
    CHECK(c.size() == 9);
    CHECK(c.times()[0] == core::from_unix_millis(1711843200000));
    CHECK(c.values()[0] == 69702.3087473573);

    std::string quirks =
        R"({"prices":[[1,2.5]],"market_caps":[[1,null],[2,0.0],[3,5e-05]],"total_volumes":[]})";
    store::Batch q;
    sources::coingecko::parse_market_chart(quirks, "young", q);
    CHECK(q.size() == 2); // the null and the zero market cap are no value
}

TEST_CASE("hyperliquid parsers on real captures") {
    std::string ctxs = fixture("http/hyperliquid/info@type=metaAndAssetCtxs.json");
    store::Batch b;
    std::vector<store::Asset> assets;
    sources::hyperliquid::parse_asset_contexts(ctxs, k_ts, b, assets);
    CHECK(assets.size() == 28);
    CHECK(value_of(b, "BTC", "FUNDING_RATE") == -0.0000015186);
    CHECK(value_of(b, "BTC", "MARK_PRICE") == 77562.0);
    std::string history = fixture("http/hyperliquid/fundingHistory/BTC.json");
    store::Batch h;
    int64_t last = 0;
    CHECK(sources::hyperliquid::parse_funding_history(history, h, last) == 1038);
    CHECK(last == 1689627600065);
    CHECK(h.times()[0] == core::from_unix_millis(1683849600048)); // ms jitter kept
    std::string wrong = R"([{"universe":[{"name":"BTC"}]}])";
    CHECK_THROWS_WITH(sources::hyperliquid::parse_asset_contexts(wrong, k_ts, b, assets),
                      "$: expected [meta, contexts], found 1 elements");
    std::string predicted = fixture("http/hyperliquid/info@type=predictedFundings.json");
    store::Batch p;
    sources::hyperliquid::parse_predicted_fundings(predicted, k_ts, p);
    CHECK(value_of(p, "AVAX", "PREDICTED_FUNDING_RATE_BINPERP") == 0.0001);
    CHECK(p.size() == 4);
}

TEST_CASE("exchange ticker parsers on recorded tickers") {
    std::string one = fixture("http/binance/ticker/BTCUSDT.json"); // a single object (symbol=)
    store::Batch b;
    sources::binance::parse_tickers(one, b);
    CHECK(value_of(b, "BTCUSDT", "PRICE") == 73346.14);
    CHECK(b.times()[0] == core::from_unix_millis(1710328244727));
    std::string many =
        fmt::format("[{}]", fixture("http/binance/ticker/ETHUSDT.json")); // symbols=[…]
    sources::binance::parse_tickers(many, b);
    CHECK(value_of(b, "ETHUSDT", "VOLUME_24H") == 8913.3);

    std::string kraken = fixture("http/kraken/0/public/Ticker@pair=XBTUSD.json");
    store::Batch k;
    sources::kraken::parse_ticker(kraken, "XBTUSD", k_ts, k); // answered as XXBTZUSD
    CHECK(value_of(k, "XBTUSD", "PRICE") == 105899.4);
    std::string error = R"({"error":["EGeneral:Too many requests"]})";
    CHECK_THROWS_WITH(sources::kraken::parse_ticker(error, "XBTUSD", k_ts, k),
                      "Kraken says EGeneral:Too many requests");

    std::string coinbase = fixture("http/coinbase/products/BTC-USDT/ticker.json");
    store::Batch c;
    sources::coinbase::parse_ticker(coinbase, "BTC-USDT", c);
    CHECK(value_of(c, "BTC-USDT", "VOLUME_24H") == 1207.50668151);
    CHECK(core::format_iso8601(c.times()[0], core::Precision::micros)
          == "2024-03-13T11:10:41.270099Z");
}
