#include <tm/core/files.hpp>
#include <tm/json/reader.hpp>
#include <tm/sources/defillama/chains.hpp>
#include <tm/sources/defillama/parse.hpp>

#include <catch2/catch.hpp>

#include <algorithm>

namespace dl = sources::defillama;

namespace {

const core::Time k_ts = core::from_unix_seconds(1700000000);

std::string fixture(const std::string& name) {
    return core::files::read(std::string(TM_FIXTURE_DIR) + "/http/defillama/" + name);
}

double value_of(const store::Batch& b, const std::string& asset, const std::string& metric) {
    for (size_t i = 0; i < b.size(); ++i) {
        const auto& k = b.keys()[b.refs()[i]];
        if (k.asset == asset && k.metric == metric) {
            return b.values()[i];
        }
    }
    FAIL("no point for " << asset << " " << metric);
    return 0;
}

std::string
shape_error(void (*parse)(std::string&, core::Time, store::Batch&, std::vector<store::Asset>&),
            std::string body) {
    store::Batch b;
    std::vector<store::Asset> assets;
    try {
        parse(body, k_ts, b, assets);
    } catch (const core::Error& e) {
        return e.what();
    }
    return "no error";
}

} // namespace

TEST_CASE("defillama::parse_protocols reads TVL of every protocol in the recorded /protocols") {
    std::string body = fixture("protocols.json");
    store::Batch b;
    std::vector<store::Asset> assets;
    dl::parse_protocols(body, k_ts, b, assets);
    CHECK(b.size() == 10);
    CHECK(assets.size() == 10);
    CHECK(value_of(b, "curve", "TVL") == 16890071630.01999);
    CHECK(value_of(b, "polygon-bridge-&-staking", "TVL") == 10855997554.684105);
    CHECK(b.times()[0] == k_ts);
    CHECK(b.keys()[0].unit == "usd");
    const auto curve = std::find_if(
        assets.begin(), assets.end(), [](const auto& a) { return a.asset == "curve"; });
    REQUIRE(curve != assets.end());
    CHECK(curve->kind == "protocol");
    CHECK(curve->name == "Curve");
    CHECK(curve->gecko_id == "curve-dao-token");
    CHECK(curve->extra_json.find("\"category\":\"Dexes\"") != std::string::npos);
}

TEST_CASE("defillama::parse_protocols tolerates null, absent and numeric fields") {
    std::string body = R"([{"id":3,"name":"No Slug Protocol","tvl":null,"symbol":"-"},
                          {"name":"x","slug":"x","tvl":5,"gecko_id":null,"chains":null}])";
    store::Batch b;
    std::vector<store::Asset> assets;
    dl::parse_protocols(body, k_ts, b, assets);
    CHECK(b.size() == 1); // null TVL is no point
    REQUIRE(assets.size() == 2);
    CHECK(assets[0].asset == "no-slug-protocol");
    CHECK(assets[0].symbol.empty());
    CHECK(assets[0].extra_json == R"({"id":"3"})");
}

TEST_CASE("defillama::parse_chains maps every chain label to one asset id") {
    std::string body = fixture("v2/chains.json");
    store::Batch b;
    std::vector<store::Asset> assets;
    dl::parse_chains(body, k_ts, b, assets);
    CHECK(b.size() == 6);
    CHECK(value_of(b, "bsc", "CHAIN_TVL") == 5463789012.123);
    CHECK(value_of(b, "xdai", "CHAIN_TVL") == 291234567.5);
    CHECK(value_of(b, "hyperliquid", "CHAIN_TVL") == 1234567.89);
    CHECK(value_of(b, "avax", "CHAIN_TVL") == 1456789012.34);
    CHECK(dl::chain_key("Binance") == dl::chain_key("BSC"));
    CHECK(dl::chain_key("bsc") == "bsc");
    CHECK(dl::chain_key("xDai") == dl::chain_key("Gnosis"));
    CHECK(dl::chain_key("Arbitrum Nova") == "arbitrum_nova");
    CHECK(dl::chain_key("Some New Chain") == "some_new_chain");
}

TEST_CASE("defillama parsers name the JSON path of a wrong shape") {
    CHECK(shape_error(dl::parse_protocols, R"({"error":"oops"})")
          == "$: expected an array, found an object");
    CHECK(shape_error(dl::parse_protocols, R"([{"slug":"a","tvl":1},{"slug":"b","tvl":"lots"}])")
          == "$[1].tvl: expected a number, found the string \"lots\"");
    CHECK(shape_error(dl::parse_protocols, R"([{"slug":"a","tvl":1}, 7])")
          == "$[1]: expected an object, found a number");
    CHECK(shape_error(dl::parse_protocols, R"([{"tvl":1}])")
          == "$[0].slug: protocol has neither slug nor name");
    CHECK(shape_error(dl::parse_chains, R"([{"tvl":1}])") == "$[0].name: chain has no name");
    CHECK(shape_error(dl::parse_chains, R"([{"name":["x"],"tvl":1}])")
          == "$[0].name: expected a string, found an array");
}

TEST_CASE("defillama parsers reject truncated bodies") {
    std::string body = fixture("protocols.json");
    const auto error = shape_error(dl::parse_protocols, body.substr(0, body.size() / 2));
    CHECK(error.find("invalid JSON") != std::string::npos);
    CHECK(shape_error(dl::parse_protocols, "").find("invalid JSON") != std::string::npos);
}
