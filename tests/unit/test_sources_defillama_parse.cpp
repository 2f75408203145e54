#include "batch_helpers.hpp"

#include <tm/core/files.hpp>
#include <tm/json/reader.hpp>
#include <tm/sources/defillama/chains.hpp>
#include <tm/sources/defillama/parse.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <functional>

namespace dl = sources::defillama;

namespace {

const core::Time k_ts = core::from_unix_seconds(1700000000);

std::string fixture(const std::string& name) {
    return core::files::read(std::string(TM_FIXTURE_DIR) + "/http/" + name);
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

std::string shape_error_of(const std::function<void(std::string&)>& parse, std::string body) {
    try {
        parse(body);
    } catch (const core::Error& e) {
        return e.what();
    }
    return "no error";
}

} // namespace

TEST_CASE("defillama::parse_protocols reads TVL of every protocol in the recorded /protocols") {
    std::string body = fixture("defillama/protocols.json");
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
    CHECK(curve->kind == store::AssetKind::protocol);
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
    std::string body = fixture("defillama/v2/chains.json");
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
    std::string body = fixture("defillama/protocols.json");
    const auto error = shape_error(dl::parse_protocols, body.substr(0, body.size() / 2));
    CHECK(error.find("invalid JSON") != std::string::npos);
    CHECK(shape_error(dl::parse_protocols, "").find("invalid JSON") != std::string::npos);
}

TEST_CASE("defillama::parse_overview: total24h per protocol, breakdown sums per chain key") {
    // The real /overview/fees?dataType=dailyRevenue excerpt (2025-01).
    std::string body = fixture("defillama/overview/fees@dataType=dailyRevenue.json");
    store::Batch b;
    dl::parse_overview(body, "REVENUE_24H", "CHAIN_REVENUE_24H", k_ts, b);
    CHECK(value_of(b, "curve-dex", "REVENUE_24H") == 36034);
    // breakdown24h {"ethereum": {"Curve DEX": 34411}, "xdai": {"Curve DEX": 127}} → chain keys
    CHECK(value_of(b, "xdai", "CHAIN_REVENUE_24H") >= 127);
    // protocols without data have no total24h at all: no point for them
    CHECK(count_of(b, "REVENUE_24H") < 8);
    SECTION("built fixture: numeric ids, chain-type entries, absent totals") {
        std::string fees = fixture("defillama/overview/fees@dataType=dailyFees.json");
        store::Batch f;
        dl::parse_overview(fees, "FEES_24H", "CHAIN_FEES_24H", k_ts, f);
        CHECK(count_of(f, "FEES_24H") == 4); // quiet-protocol has no total24h
        CHECK(value_of(f, "uniswap-v3", "FEES_24H") == 1250.5);
        CHECK(value_of(f, "pancakeswap-amm", "FEES_24H") == 400);
        CHECK(value_of(f, "ethereum", "CHAIN_FEES_24H") == 1000 + 300 + 5000);
        CHECK(value_of(f, "bsc", "CHAIN_FEES_24H") == 400);
        CHECK(f.times()[0] == k_ts);
    }
}

TEST_CASE("defillama::parse_dimension_chart reads [ts, value] pairs, gaps and all") {
    std::string body = fixture("defillama/summary/fees/uniswap-v3@dataType=dailyFees.json");
    store::Batch b;
    dl::parse_dimension_chart(body, "uniswap-v3", "FEES_24H", b);
    CHECK(b.size() == 10);
    CHECK(b.times().front() == core::from_unix_seconds(1709337600)); // 2024-03-02
    std::string nulls =
        R"({"totalDataChart":[[1709337600,null],[1709424000,"5"],[1709510400,7.5]]})";
    store::Batch n;
    dl::parse_dimension_chart(nulls, "x", "FEES_24H", n);
    CHECK(n.size() == 2);
    CHECK(shape_error_of(
              [](std::string& s) {
                  store::Batch x;
                  dl::parse_dimension_chart(s, "x", "FEES_24H", x);
              },
              R"({"totalDataChart":[[1709337600]]})")
          == "$.totalDataChart[0]: expected a [time, value] pair, found 1 elements");
    CHECK(shape_error_of(
              [](std::string& s) {
                  store::Batch x;
                  dl::parse_dimension_chart(s, "x", "FEES_24H", x);
              },
              R"({"total24h":1})")
          == "$.totalDataChart: missing");
}

TEST_CASE("defillama::parse_inflows splits the net flow into INFLOW and OUTFLOW") {
    std::string in = R"({"outflows":1234.5,"oldTokens":{},"currentTokens":{}})";
    std::string out = R"({"outflows":-99})";
    store::Batch b;
    dl::parse_inflows(in, "aave", k_ts, b);
    dl::parse_inflows(out, "curve", k_ts, b);
    CHECK(value_of(b, "aave", "INFLOW") == 1234.5);
    CHECK(value_of(b, "aave", "OUTFLOW") == 0);
    CHECK(value_of(b, "curve", "INFLOW") == 0);
    CHECK(value_of(b, "curve", "OUTFLOW") == 99);
}

TEST_CASE("defillama TVL history: the real /protocol and /v2/historicalChainTvl responses") {
    std::string protocol = fixture("defillama/protocol/abc-pool.json");
    store::Batch p;
    dl::parse_protocol_history(protocol, "abc-pool", p);
    CHECK(p.size() == 300);
    // the last point is the latest hourly snapshot, at its own time
    CHECK(p.times().back() == core::from_unix_seconds(1739124299));
    CHECK(p.values().back() == 9275315.616);
    std::string chain = fixture("defillama/v2/historicalChainTvl/Ethereum.json");
    store::Batch c;
    dl::parse_chain_history(chain, "ethereum", c);
    CHECK(c.size() == 300);
    CHECK(c.times().front() == core::from_unix_seconds(1530230400));
}

TEST_CASE("defillama stablecoins: pegs, string dates, empty objects") {
    std::string list = fixture("defillama-stablecoins/stablecoins.json");
    store::Batch b;
    std::vector<store::Asset> assets;
    dl::parse_stablecoins(list, k_ts, b, assets);
    CHECK(value_of(b, "1", "STABLECOIN_SUPPLY") == 143000000000.25);
    CHECK(value_of(b, "50", "STABLECOIN_SUPPLY") == 120000000.5); // the EUR peg's own key
    CHECK(count_of(b, "STABLECOIN_SUPPLY") == 3);                 // the delisted one has none
    REQUIRE(assets.size() == 4);
    CHECK(assets[0].symbol == "USDT");
    CHECK(assets[0].extra_json.find("\"chains\":[\"ethereum\",\"tron\"]") != std::string::npos);

    std::string chains = fixture("defillama-stablecoins/stablecoinchains.json");
    store::Batch c;
    dl::parse_stablecoin_chains(chains, k_ts, c);
    CHECK(value_of(c, "ethereum", "CHAIN_STABLECOIN_SUPPLY") == 80000000000.5 + 130000000);
    CHECK(value_of(c, "bsc", "CHAIN_STABLECOIN_SUPPLY") == 5000000000);
    CHECK(c.size() == 2);

    std::string chart = fixture("defillama-stablecoins/stablecoincharts/all@stablecoin=1.json");
    store::Batch h;
    dl::parse_stablecoin_chart(chart, "1", "STABLECOIN_SUPPLY", h);
    CHECK(h.size() == 8);
    CHECK(h.times().back() == core::from_unix_seconds(1710288000));
    CHECK(h.values().back() == 100000007000.37);
}

TEST_CASE("defillama yields: pools, utilization in both shapes, ISO-time charts") {
    std::string pools = fixture("defillama-yields/pools.json");
    store::Batch b;
    std::vector<store::Asset> assets;
    dl::parse_pools(pools, k_ts, b, assets);
    const std::string pool_b = "aa70268e-4b52-42bf-a116-608b370f9501";
    CHECK(value_of(b, pool_b, "APY") == 4.6);
    CHECK(value_of(b, pool_b, "APY_REWARD") == 0.35);
    CHECK(value_of(b, pool_b, "POOL_TVL") == 1500000000.5);
    CHECK(count_of(b, "APY_REWARD") == 2); // null apyReward: no point
    CHECK(assets[1].name == "aave-v3 USDC");
    CHECK(assets[1].chain == "ethereum");

    std::string free_shape = fixture("defillama-yields/lendBorrow.json");
    std::string pro_shape = fixture("defillama-yields/poolsBorrow.json");
    store::Batch u;
    dl::parse_lend_borrow(free_shape, k_ts, u);
    CHECK(u.size() == 1); // zero supply: no utilization
    CHECK(value_of(u, pool_b, "UTILIZATION") == 0.75);
    store::Batch v;
    dl::parse_lend_borrow(pro_shape, k_ts, v);
    CHECK(value_of(v, pool_b, "UTILIZATION") == 0.8);

    std::string chart = fixture("defillama-yields/chart/" + pool_b + ".json");
    store::Batch c;
    dl::parse_pool_chart(chart, pool_b, c);
    CHECK(count_of(c, "APY") == 11);
    CHECK(core::format_iso8601(c.times()[0], core::Precision::millis)
          == "2024-03-03T23:01:01.000Z");
    std::string lend = fixture("defillama-yields/chartLendBorrow/" + pool_b + ".json");
    store::Batch l;
    dl::parse_lend_borrow_chart(lend, pool_b, l);
    CHECK(l.size() == 10); // the row with null supply and borrow has none
    CHECK(shape_error_of(
              [](std::string& s) {
                  store::Batch x;
                  dl::parse_pool_chart(s, "p", x);
              },
              R"({"status":"success","data":[{"timestamp":"yesterday","apy":1}]})")
          == "$.data[0].timestamp: expected an ISO-8601 time, found \"yesterday\"");
}

TEST_CASE("defillama bridges: the spec examples") {
    std::string list = fixture("defillama-bridges/bridges.json");
    store::Batch b;
    std::vector<store::Asset> assets;
    dl::parse_bridges(list, k_ts, b, assets);
    CHECK(value_of(b, "80", "BRIDGE_VOLUME_24H") == 245562283.16810948);
    CHECK(value_of(b, "80", "BRIDGE_VOLUME_30D") == 3986810177.448681);
    REQUIRE(assets.size() == 1);
    CHECK(assets[0].name == "Hyperliquid");
    CHECK(assets[0].chain == "hyperliquid");
    std::string no_destination =
        R"({"bridges":[{"id":5,"name":"x","destinationChain":"false","last24hVolume":1}]})";
    std::vector<store::Asset> more;
    dl::parse_bridges(no_destination, k_ts, b, more);
    CHECK(more[0].chain.empty());

    std::string volume = fixture("defillama-bridges/bridgevolume/ethereum.json");
    store::Batch v;
    dl::parse_bridge_volume(volume, "80", v);
    REQUIRE(v.size() == 2);
    CHECK(v.times()[0] == core::from_unix_seconds(1665964800));
    CHECK(v.values()[0] == (11121806.082658675 + 13970177.335270314) / 2);
}
