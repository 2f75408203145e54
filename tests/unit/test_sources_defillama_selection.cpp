#include <tm/core/error.hpp>
#include <tm/core/files.hpp>
#include <tm/sources/defillama/endpoints.hpp>
#include <tm/sources/defillama/selection.hpp>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <unistd.h>

#include <cstdlib>
#include <set>

namespace dl = sources::defillama;

namespace {

const core::Time k_ts = core::from_unix_seconds(1700000000);

std::string write_config(const std::string& text) {
    const std::string path = fmt::format("/tmp/tm-unit-config-{}.csv", ::getpid());
    core::files::write_atomically(path, text);
    return path;
}

std::vector<std::string> kept(const store::Batch& b) {
    std::vector<std::string> out;
    for (const auto& k : b.keys()) {
        out.push_back(k.asset + ":" + k.metric);
    }
    std::sort(out.begin(), out.end());
    return out;
}

store::Batch sample() {
    store::Batch b;
    b.add(b.series("defillama", store::AssetKind::protocol, "aave", "TVL"), k_ts, 30);
    b.add(b.series("defillama", store::AssetKind::protocol, "curve", "TVL"), k_ts, 20);
    b.add(b.series("defillama", store::AssetKind::protocol, "tiny", "TVL"), k_ts, 1);
    b.add(b.series("defillama", store::AssetKind::protocol, "aave", "FEES_24H"), k_ts, 5);
    b.add(b.series("defillama", store::AssetKind::chain, "bsc", "CHAIN_TVL"), k_ts, 7);
    b.add(b.series("defillama", store::AssetKind::pool, "big-pool", "POOL_TVL"), k_ts, 2e6);
    b.add(b.series("defillama", store::AssetKind::pool, "big-pool", "APY"), k_ts, 3);
    b.add(b.series("defillama", store::AssetKind::pool, "small-pool", "POOL_TVL"), k_ts, 5e5);
    b.add(b.series("defillama", store::AssetKind::pool, "small-pool", "APY"), k_ts, 90);
    b.add(b.series("defillama", store::AssetKind::stablecoin, "1", "STABLECOIN_SUPPLY"), k_ts, 1e9);
    return b;
}

} // namespace

TEST_CASE("selection defaults: top N per metric, pools above the minimum TVL") {
    sources::Selection flags;
    flags.top = 2;
    const dl::DefiLlamaSelection sel(flags, 250);
    CHECK(kept(sel.filter(sample()))
          == std::vector<std::string>{"1:STABLECOIN_SUPPLY",
                                      "aave:FEES_24H",
                                      "aave:TVL",
                                      "big-pool:APY",
                                      "big-pool:POOL_TVL",
                                      "bsc:CHAIN_TVL",
                                      "curve:TVL"});
}

TEST_CASE("selection: --assets and --metrics narrow every kind") {
    sources::Selection flags;
    flags.assets = {"aave", "BSC"};
    flags.metrics = {"TVL", "CHAIN_TVL"};
    const dl::DefiLlamaSelection sel(flags, 250);
    CHECK(kept(sel.filter(sample())) == std::vector<std::string>{"aave:TVL", "bsc:CHAIN_TVL"});
    CHECK(sel.wants_metric("TVL"));
    CHECK_FALSE(sel.wants_metric("FEES_24H"));
}

TEST_CASE("selection: a config names assets per kind, by id or by symbol") {
    sources::Selection flags;
    flags.config_file =
        write_config("# comment\nkind,asset,metrics\nprotocol,curve,TVL\nstablecoin,USDT,*\n"
                     "chain,Binance,\n");
    dl::DefiLlamaSelection sel(flags, 250);
    sel.learn(
        {{"defillama", store::AssetKind::stablecoin, "1", "Tether", "USDT", "", "tether", ""}});
    // protocols: only curve's TVL; chains: "Binance" is bsc; pools: not named, so the default
    CHECK(kept(sel.filter(sample()))
          == std::vector<std::string>{"1:STABLECOIN_SUPPLY",
                                      "big-pool:APY",
                                      "big-pool:POOL_TVL",
                                      "bsc:CHAIN_TVL",
                                      "curve:TVL"});
    CHECK_FALSE(sel.wants_metric("FEES_24H")); // no protocol row asks for it
    CHECK(sel.pick(dl::Kind::protocol, "TVL", {{"aave", 30}}) == std::vector<std::string>{"curve"});
    CHECK(sel.pick(dl::Kind::stablecoin, "STABLECOIN_SUPPLY", {{"1", 5}, {"2", 9}})
          == std::vector<std::string>{"1"});
}

TEST_CASE("selection: ids that collide across kinds, and names no list has") {
    // Stablecoin 1 (Tether) and bridge 1 are both "1": a bare number would be two assets.
    store::Batch b = sample();
    b.add(b.series("defillama", store::AssetKind::bridge, "1", "BRIDGE_VOLUME_24H"), k_ts, 4e6);
    sources::Selection flags;
    flags.assets = {"1"};
    CHECK_THROWS_WITH(dl::DefiLlamaSelection(flags, 250),
                      "--assets 1 is ambiguous: DefiLlama stablecoin ids and bridge ids are both "
                      "numbers; write stablecoin:1 or bridge:1");
    flags.assets = {"bridge:1"};
    const dl::DefiLlamaSelection bridge(flags, 250);
    CHECK(kept(bridge.filter(b)) == std::vector<std::string>{"1:BRIDGE_VOLUME_24H"});
    CHECK(bridge.pick(dl::Kind::stablecoin, "STABLECOIN_SUPPLY", {{"1", 5}}).empty());
    CHECK(bridge.pick(dl::Kind::bridge, "BRIDGE_VOLUME_24H", {{"1", 5}})
          == std::vector<std::string>{"1"});
    flags.assets = {"stablecoin:1", "chain:bsc"};
    const dl::DefiLlamaSelection stable(flags, 250);
    CHECK(kept(stable.filter(b))
          == std::vector<std::string>{"1:STABLECOIN_SUPPLY", "bsc:CHAIN_TVL"});
    // A bare name still means every kind that has it (hyperliquid: a chain and a protocol).
    flags.assets = {"aave", "no-such-protocol", "chain:aave", "stablecoin:USDT"};
    dl::DefiLlamaSelection named(flags, 250);
    named.learn(
        {{"defillama", store::AssetKind::stablecoin, "1", "Tether", "USDT", "", "tether", ""}});
    const std::set<std::pair<dl::Kind, std::string>> known = {
        {dl::Kind::protocol, "aave"}, {dl::Kind::stablecoin, "1"}, {dl::Kind::bridge, "1"}};
    CHECK(named.unknown(known, {}) == std::vector<std::string>{"no-such-protocol", "chain:aave"});
    CHECK(named.named_count() == 4);
    // Config rows: stablecoins, bridges and pools no list has (protocols and chains are asked
    // for anyway in a backfill).
    sources::Selection config;
    config.config_file = write_config(
        "kind,asset,metrics\nprotocol,parent-only,TVL\nstablecoin,USDT,*\nbridge,999,*\n");
    dl::DefiLlamaSelection rows(config, 50);
    rows.learn(
        {{"defillama", store::AssetKind::stablecoin, "1", "Tether", "USDT", "", "tether", ""}});
    CHECK(rows.unknown(known, {dl::Kind::stablecoin, dl::Kind::bridge, dl::Kind::pool})
          == std::vector<std::string>{"999"});
    CHECK(rows.unknown(known, {dl::Kind::protocol, dl::Kind::stablecoin, dl::Kind::bridge})
          == std::vector<std::string>{"parent-only", "999"});
    CHECK(rows.named_count() == 3);
}

TEST_CASE("selection: backfill picks the top N candidates, pools above the minimum") {
    sources::Selection flags;
    flags.top = 2;
    const dl::DefiLlamaSelection sel(flags, 50);
    CHECK(sel.pick(dl::Kind::protocol, "TVL", {{"a", 1}, {"b", 3}, {"c", 2}})
          == std::vector<std::string>{"b", "c"});
    CHECK(sel.pick(dl::Kind::pool, "APY", {{"p", 5e5}, {"q", 3e6}})
          == std::vector<std::string>{"q"});
}

TEST_CASE("selection: bad configs and metrics are usage errors naming file and line") {
    sources::Selection flags;
    flags.metrics = {"TVL_24H"};
    CHECK_THROWS_AS(dl::DefiLlamaSelection(flags, 250), core::UsageError);
    flags.metrics.clear();
    flags.config_file = write_config("kind,asset,metrics\nprotocol,aave,CHAIN_TVL\n");
    CHECK_THROWS_WITH(dl::DefiLlamaSelection(flags, 250),
                      Catch::EndsWith(":2: CHAIN_TVL is a chain metric, not a protocol one"));
    flags.config_file = write_config("asset,kind\n");
    CHECK_THROWS_WITH(dl::DefiLlamaSelection(flags, 250),
                      Catch::Contains(":1: the first row must be the header"));
    flags.config_file = write_config("kind,asset\nprotocol,\"unterminated\n");
    CHECK_THROWS_WITH(dl::DefiLlamaSelection(flags, 250),
                      Catch::Contains(":2: a quoted field is not closed"));
    flags.config_file = "/nonexistent/tm.csv";
    CHECK_THROWS_WITH(dl::DefiLlamaSelection(flags, 250), Catch::Contains("does not exist"));
}

TEST_CASE("endpoints: free hosts, and the pro host with the key in the path") {
    ::unsetenv("DEFILLAMA_API_KEY");
    ::setenv("TM_DEFILLAMA_URL", "http://127.0.0.1:9/llama/", 1);
    {
        const dl::Endpoints free;
        CHECK_FALSE(free.pro());
        CHECK(free.url(dl::Service::api, "/protocols") == "http://127.0.0.1:9/llama/protocols");
        CHECK(free.url(dl::Service::yields, "/lendBorrow") == "https://yields.llama.fi/lendBorrow");
        CHECK_FALSE(free.bridges_available());
    }
    ::setenv("DEFILLAMA_API_KEY", "k3y-for-unit-test", 1);
    {
        const dl::Endpoints pro;
        CHECK(pro.url(dl::Service::api, "/overview/fees?dataType=dailyFees")
              == "https://pro-api.llama.fi/k3y-for-unit-test/api/overview/fees?dataType=dailyFees");
        CHECK(pro.url(dl::Service::stablecoins, "/stablecoins")
              == "https://pro-api.llama.fi/k3y-for-unit-test/stablecoins/stablecoins");
        CHECK(pro.url(dl::Service::yields, "/lendBorrow")
              == "https://pro-api.llama.fi/k3y-for-unit-test/yields/poolsBorrow");
        CHECK(pro.url(dl::Service::bridges, "/bridges")
              == "https://pro-api.llama.fi/k3y-for-unit-test/bridges/bridges");
        CHECK(pro.bridges_available());
    }
    ::unsetenv("DEFILLAMA_API_KEY");
    ::setenv("TM_DEFILLAMA_URL", "api.llama.fi", 1);
    CHECK_THROWS_AS(dl::Endpoints(), core::UsageError);
    ::unsetenv("TM_DEFILLAMA_URL");
}

TEST_CASE("the shipped config/defillama.csv parses") {
    sources::Selection flags;
    flags.config_file = std::string(TM_SOURCE_DIR) + "/config/defillama.csv";
    const dl::DefiLlamaSelection sel(flags, 250);
    CHECK(sel.wants_metric("TVL"));
    CHECK(sel.wants_metric("STABLECOIN_SUPPLY"));
    CHECK(sel.pick(dl::Kind::chain, "CHAIN_TVL", {}).size() == 16);
}
