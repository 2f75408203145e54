#include "batch_helpers.hpp"

#include <tm/core/files.hpp>
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

std::string fixture(const std::string& name) {
    return core::files::read(std::string(TM_FIXTURE_DIR) + "/" + name);
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
    const auto at = text.find(from);
    REQUIRE(at != std::string::npos);
    return text.replace(at, from.size(), to);
}

const core::Time k_ts = core::from_unix_seconds(1689657600);

} // namespace

TEST_CASE("coingecko parsers on the real recorded and documented responses") {
    std::string price = fixture("coingecko/simple_price_ethereum_usd_jkorf.json");
    store::Batch b;
    std::vector<std::string> answered;
    sources::coingecko::parse_simple_price(price, k_ts, b, answered);
    REQUIRE(b.size() == 1); // no market cap, volume or time asked for in that recording
    CHECK(answered == std::vector<std::string>{"ethereum"});
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
    CHECK(count_of(b, "PRICE") == 1);
    CHECK(value_of(b, "BTCUSDT", "PRICE") == 73346.14);
    CHECK(b.times()[0] == core::from_unix_millis(1710328244727));
    std::string many =
        fmt::format("[{}]", fixture("http/binance/ticker/ETHUSDT.json")); // symbols=[…]
    sources::binance::parse_tickers(many, b);
    CHECK(value_of(b, "ETHUSDT", "VOLUME_24H") == 8913.3);

    std::string coinbase = fixture("http/coinbase/products/BTC-USDT/ticker.json");
    store::Batch c;
    sources::coinbase::parse_ticker(coinbase, "BTC-USDT", c);
    CHECK(value_of(c, "BTC-USDT", "VOLUME_24H") == 1207.50668151);
    CHECK(core::format_iso8601(c.times()[0], core::Precision::micros)
          == "2024-03-13T11:10:41.270099Z");
}

TEST_CASE("a last price of 0 is no trade: no PRICE point, a volume of 0 is kept") {
    // Kraken's idle pairs (108 of 1,530 in one real answer) and every exchange's equivalent.
    std::string binance = replaced(fixture("http/binance/ticker/BTCUSDT.json"),
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

TEST_CASE("kraken: pairs matched through AssetPairs names, never by position") {
    std::string pairs_body = fixture("http/kraken/0/public/AssetPairs.json");
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
    std::string market = fixture("http/kraken/market/Ticker.json");
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
        replaced(fixture("http/kraken/market/Ticker.json"), "\"XXBTZUSD\"", "\"BTC/USD\"");
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

TEST_CASE("coingecko: ids left out, the id list and error 10012") {
    std::string price = R"({"bitcoin":{"usd":67187.33,"last_updated_at":1711356300}})";
    store::Batch b;
    std::vector<std::string> answered;
    sources::coingecko::parse_simple_price(price, k_ts, b, answered);
    CHECK(answered == std::vector<std::string>{"bitcoin"}); // "bitcoinn" asked, left out
    std::string list = R"([{"id":"bitcoin","symbol":"btc","name":"Bitcoin"},{"id":"zcash"}])";
    CHECK(sources::coingecko::parse_coin_list(list)
          == std::vector<std::string>{"bitcoin", "zcash"});
    // The real body of a keyless request reaching past 365 days (HTTP 401).
    const std::string range = fixture("coingecko/error_10012_outside_public_range_real.json");
    CHECK(sources::coingecko::error_code(range) == sources::coingecko::k_outside_public_range);
    CHECK(sources::coingecko::error_code(fixture("coingecko/error_429_rate_limit_from-issue.json"))
          == 429);
    CHECK_FALSE(sources::coingecko::error_code(R"({"error":"coin not found"})"));
}

TEST_CASE("hyperliquid: builder dexes listed, their coins named dex:COIN") {
    std::string dexes = fixture("http/hyperliquid/info@type=perpDexs.json");
    CHECK(sources::hyperliquid::parse_perp_dexs(dexes) == std::vector<std::string>{"xyz", "flx"});
    std::string xyz = fixture("http/hyperliquid/info@type=metaAndAssetCtxs@dex=xyz.json");
    store::Batch b;
    std::vector<store::Asset> assets;
    sources::hyperliquid::parse_asset_contexts(xyz, k_ts, b, assets, "xyz");
    REQUIRE(assets.size() == 3);
    CHECK(assets[0].asset == "xyz:XYZ100");
    CHECK(assets[0].extra_json.find(R"("dex":"xyz")") != std::string::npos);
    CHECK(count_of(b, "FUNDING_RATE") == 3);
    // A universe name without its dex gets it: a name never means two markets.
    std::string bare = R"([{"universe":[{"name":"BTC"}]},[{"funding":"0.0001"}]])";
    store::Batch c;
    assets.clear();
    sources::hyperliquid::parse_asset_contexts(bare, k_ts, c, assets, "hyna");
    CHECK(assets[0].asset == "hyna:BTC");
    CHECK(value_of(c, "hyna:BTC", "FUNDING_RATE") == 0.0001);
}
