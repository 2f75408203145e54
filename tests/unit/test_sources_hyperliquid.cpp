#include "batch_helpers.hpp"

#include <tm/sources/hyperliquid/parse.hpp>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <map>

namespace {

const core::Time k_ts = core::from_unix_seconds(1689657600);

} // namespace

TEST_CASE("hyperliquid parsers on real captures") {
    std::string ctxs = fixture_file("http/hyperliquid/info@type=metaAndAssetCtxs.json");
    store::Batch b;
    std::vector<store::Asset> assets;
    sources::hyperliquid::parse_asset_contexts(ctxs, k_ts, b, assets);
    CHECK(assets.size() == 28);
    CHECK(value_of(b, "BTC", "FUNDING_RATE") == -0.0000015186);
    CHECK(value_of(b, "BTC", "MARK_PRICE") == 77562.0);
    std::string history = fixture_file("http/hyperliquid/fundingHistory/BTC.json");
    store::Batch h;
    int64_t last = 0;
    CHECK(sources::hyperliquid::parse_funding_history(history, h, last) == 1038);
    CHECK(last == 1689627600065);
    CHECK(h.times()[0] == core::from_unix_millis(1683849600048)); // ms jitter kept
    std::string wrong = R"([{"universe":[{"name":"BTC"}]}])";
    CHECK_THROWS_WITH(sources::hyperliquid::parse_asset_contexts(wrong, k_ts, b, assets),
                      "$: expected [meta, contexts], found 1 elements");
    std::string predicted = fixture_file("http/hyperliquid/info@type=predictedFundings.json");
    store::Batch p;
    sources::hyperliquid::parse_predicted_fundings(predicted, k_ts, p);
    CHECK(value_of(p, "AVAX", "PREDICTED_FUNDING_RATE_BINPERP") == 0.0001);
    CHECK(p.size() == 4);
}

TEST_CASE("hyperliquid: builder dexes listed, their coins named dex:COIN") {
    std::string dexes = fixture_file("http/hyperliquid/info@type=perpDexs.json");
    CHECK(sources::hyperliquid::parse_perp_dexs(dexes) == std::vector<std::string>{"xyz", "flx"});
    std::string xyz = fixture_file("http/hyperliquid/info@type=metaAndAssetCtxs@dex=xyz.json");
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
