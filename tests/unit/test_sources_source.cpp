#include <tm/http/client.hpp>
#include <tm/sources/source.hpp>

#include <catch2/catch.hpp>

namespace {

const core::Time k_now = core::from_unix_seconds(1710300000);

} // namespace

TEST_CASE("sources::RunContext names every unknown name with the closest known ones") {
    http::Client http(http::ClientOptions{});
    sources::RunContext ctx(http, k_now);
    const std::vector<std::string> known = {"XBTUSD", "XBTUSDT", "ETHUSD", "ZECUSD"};
    ctx.report_unknown(
        {"XBTUST", "NOPE-PAIR"}, 3, "Kraken pair", known, "GET /0/public/AssetPairs");
    REQUIRE(ctx.errors().size() == 2);
    CHECK(ctx.errors()[0].asset == "XBTUST");
    CHECK(ctx.errors()[0].error == "unknown Kraken pair 'XBTUST'; closest: XBTUSD, XBTUSDT");
    CHECK(ctx.errors()[0].failure);
    CHECK(ctx.errors()[1].error
          == "unknown Kraken pair 'NOPE-PAIR' (none of the 4 known is close)");
    CHECK(ctx.failed() == 2);
    CHECK_FALSE(ctx.nothing_named()); // one of the three names exists

    sources::RunContext none(http, k_now);
    none.report_unknown({"A", "B"}, 2, "Binance symbol", {}, "GET /api/v3/ticker/price");
    CHECK(none.errors()[0].error == "unknown Binance symbol 'A'");
    CHECK(none.nothing_named());

    // Names that only add to what the run takes anyway (asked 0) never mean "nothing named".
    sources::RunContext extra(http, k_now);
    extra.report_unknown({"nosuch"}, 0, "Hyperliquid perp dex", {"xyz"}, "POST /info perpDexs");
    CHECK_FALSE(extra.nothing_named());
    CHECK(extra.errors().size() == 1);
}
