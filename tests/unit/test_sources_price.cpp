// sources/price.hpp: the rule every source applies to a last price of 0.
#include "batch_helpers.hpp"

#include <tm/sources/binance/binance.hpp>
#include <tm/sources/coinbase/coinbase.hpp>
#include <tm/sources/coingecko/parse.hpp>
#include <tm/sources/hyperliquid/parse.hpp>
#include <tm/sources/kraken/kraken.hpp>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <map>

namespace {

const core::Time k_ts = core::from_unix_seconds(1689657600);

} // namespace

TEST_CASE("a last price of 0 is no trade: no PRICE point, a volume of 0 is kept") {
    // Kraken's idle pairs (108 of 1,530 in one real answer) and every exchange's equivalent.
    std::string binance = replaced(fixture_file("http/binance/ticker/BTCUSDT.json"),
                                   "\"lastPrice\": \"73346.14000000\"",
                                   "\"lastPrice\": \"0.00000000\"");
    store::Batch b;
    sources::binance::parse_tickers(binance, b);
    CHECK(count_of(b, "PRICE") == 0);
    CHECK(count_of(b, "VOLUME_24H") == 1);

    std::string coinbase = R"({"price":"0","volume":"0","time":"2024-03-13T11:10:41.270099Z"})";
    store::Batch c;
    sources::coinbase::parse_ticker(coinbase, "BTC-USD", c);
    CHECK(count_of(c, "PRICE") == 0);
    CHECK(value_of(c, "BTC-USD", "VOLUME_24H") == 0);

    std::string gecko = R"({"deadcoin":{"usd":0,"usd_24h_vol":0,"last_updated_at":1689657600}})";
    store::Batch g;
    std::vector<std::string> answered;
    sources::coingecko::parse_simple_price(gecko, k_ts, g, answered);
    CHECK(count_of(g, "PRICE") == 0);
    CHECK(value_of(g, "deadcoin", "VOLUME_24H") == 0);
    std::string chart = R"({"prices":[[1000,0],[2000,1.5]],"market_caps":[],"total_volumes":[]})";
    store::Batch h;
    sources::coingecko::parse_market_chart(chart, "deadcoin", h);
    CHECK(count_of(h, "PRICE") == 1);

    std::string ctxs = R"([{"universe":[{"name":"NEW"}]},[{"funding":"0.0","openInterest":"0.0",)"
                       R"("markPx":"0.0","oraclePx":"0.0","dayNtlVlm":"0.0"}]])";
    store::Batch p;
    std::vector<store::Asset> perps;
    sources::hyperliquid::parse_asset_contexts(ctxs, k_ts, p, perps);
    CHECK(count_of(p, "MARK_PRICE") == 0);
    CHECK(count_of(p, "ORACLE_PRICE") == 0);
    CHECK(value_of(p, "NEW", "OPEN_INTEREST") == 0);
}
