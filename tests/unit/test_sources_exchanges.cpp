#include "batch_helpers.hpp"

#include <tm/sources/binance/binance.hpp>
#include <tm/sources/coinbase/coinbase.hpp>
#include <tm/sources/kraken/kraken.hpp>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <map>

namespace {

const core::Time k_ts = core::from_unix_seconds(1689657600);

} // namespace

TEST_CASE("exchange ticker parsers on recorded tickers") {
    std::string one = fixture_file("http/binance/ticker/BTCUSDT.json"); // a single object (symbol=)
    store::Batch b;
    sources::binance::parse_tickers(one, b);
    CHECK(count_of(b, "PRICE") == 1);
    CHECK(value_of(b, "BTCUSDT", "PRICE") == 73346.14);
    CHECK(b.times()[0] == core::from_unix_millis(1710328244727));
    std::string many =
        fmt::format("[{}]", fixture_file("http/binance/ticker/ETHUSDT.json")); // symbols=[…]
    sources::binance::parse_tickers(many, b);
    CHECK(value_of(b, "ETHUSDT", "VOLUME_24H") == 8913.3);

    std::string coinbase = fixture_file("http/coinbase/products/BTC-USDT/ticker.json");
    store::Batch c;
    sources::coinbase::parse_ticker(coinbase, "BTC-USDT", c);
    CHECK(value_of(c, "BTC-USDT", "VOLUME_24H") == 1207.50668151);
    CHECK(core::format_iso8601(c.times()[0], core::Precision::micros)
          == "2024-03-13T11:10:41.270099Z");
}

TEST_CASE("kraken: pairs matched through AssetPairs names, never by position") {
    std::string pairs_body = fixture_file("http/kraken/0/public/AssetPairs.json");
    const auto pairs = sources::kraken::parse_asset_pairs(pairs_body);
    REQUIRE(pairs.size() == 8);
    const auto* btc = sources::kraken::find_pair(pairs, "XBTUSD"); // by altname
    REQUIRE(btc != nullptr);
    CHECK(btc->key == "XXBTZUSD");
    CHECK(sources::kraken::find_pair(pairs, "XBT/USD") == btc);  // by wsname
    CHECK(sources::kraken::find_pair(pairs, "XXBTZUSD") == btc); // by key
    CHECK(sources::kraken::find_pair(pairs, "XBTUSDT")->key == "XBTUSDT");
    CHECK(sources::kraken::find_pair(pairs, "NOPEUSD") == nullptr);

    // The whole market, 0GEUR first (0.138): XBTUSD must get XXBTZUSD's price, not the first.
    std::string market = fixture_file("http/kraken/market/Ticker.json");
    const std::map<std::string, std::string, std::less<>> asked = {{"XXBTZUSD", "XBTUSD"},
                                                                   {"XBTUSD", "XBTUSD"},
                                                                   {"XBT/USD", "XBTUSD"},
                                                                   {"TBTCEUR", "TBTCEUR"}};
    store::Batch k;
    std::vector<std::string> answered, ignored;
    sources::kraken::parse_ticker(market, asked, k_ts, k, answered, ignored);
    CHECK(value_of(k, "XBTUSD", "PRICE") == 105899.4);
    CHECK(value_of(k, "XBTUSD", "VOLUME_24H") == 163.28908096);
    CHECK(answered == std::vector<std::string>{"TBTCEUR", "XBTUSD"});
    CHECK(ignored
          == std::vector<std::string>{
              "0GEUR", "0GUSD", "1INCHEUR", "XBTUSDT", "XETHZUSD", "XZECZUSD"});
    // The idle pair: no trade in 24 h, so no price; its volume of 0 is a value.
    CHECK(value_of(k, "TBTCEUR", "VOLUME_24H") == 0);
    CHECK(count_of(k, "PRICE") == 1);
    // assetVersion=1 keys ("BTC/USD") name no pair tm asked for: ignored, never guessed.
    std::string renamed =
        replaced(fixture_file("http/kraken/market/Ticker.json"), "\"XXBTZUSD\"", "\"BTC/USD\"");
    store::Batch r;
    answered.clear();
    ignored.clear();
    sources::kraken::parse_ticker(renamed, asked, k_ts, r, answered, ignored);
    CHECK(answered == std::vector<std::string>{"TBTCEUR"});
    CHECK(std::find(ignored.begin(), ignored.end(), "BTC/USD") != ignored.end());
}

TEST_CASE("kraken: errors inside a 200 body, throttles retried, the rest final") {
    const auto error_in = [](std::string body) {
        http::Response r;
        r.status = 200;
        r.body = std::move(body);
        return sources::kraken::body_error(r);
    };
    for (const char* throttle : {"EAPI:Rate limit exceeded",
                                 "EGeneral:Too many requests",
                                 "EService:Unavailable",
                                 "EService:Busy"}) {
        INFO(throttle);
        const auto e = error_in(fmt::format(R"({{"error":["{}"],"result":{{}}}})", throttle));
        REQUIRE(e);
        CHECK(e->retry);
        CHECK(e->message == fmt::format("Kraken says {}", throttle));
    }
    const auto unknown = error_in(R"({"error":["EQuery:Unknown asset pair"]})");
    REQUIRE(unknown);
    CHECK_FALSE(unknown->retry);
    CHECK(unknown->message == "Kraken says EQuery:Unknown asset pair");
    CHECK_FALSE(error_in(R"({"error":[],"result":{}})"));
    CHECK_FALSE(error_in(R"({"error":["WGeneral:Unknown warning"],"result":{}})"));
    CHECK_FALSE(error_in("not json"));
    // A throttle beside a final error is final.
    CHECK_FALSE(
        error_in(R"({"error":["EAPI:Rate limit exceeded","EQuery:Unknown asset pair"]})")->retry);
    // The parsers refuse an error body too, naming it.
    std::string body = R"({"error":["EGeneral:Invalid arguments"]})";
    CHECK_THROWS_WITH(sources::kraken::parse_asset_pairs(body),
                      "Kraken says EGeneral:Invalid arguments");
}

TEST_CASE("binance: the symbol list and the error code of a refused list") {
    std::string list = R"([{"symbol":"ETHBTC","price":"0.0541"},{"symbol":"BTCUSDT","price":"1"}])";
    CHECK(sources::binance::parse_symbols(list) == std::vector<std::string>{"ETHBTC", "BTCUSDT"});
    http::Response r;
    r.status = 400;
    r.body = R"({"code":-1121,"msg":"Invalid symbol."})"; // Binance's documented error body
    CHECK(sources::binance::error_code(r) == sources::binance::k_invalid_symbol);
    r.body = "<html>bad gateway</html>";
    CHECK_FALSE(sources::binance::error_code(r));
}
