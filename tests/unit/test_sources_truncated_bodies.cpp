// Every parser refuses a body cut short (issue 18 §3): the complete body parses, the same body
// missing its last byte (the final brace or bracket) throws. Lazy parsing reads only what a parser
// asks for, so this holds only because every parser opens its body through json::read_document.
#include <tm/core/error.hpp>
#include <tm/core/files.hpp>
#include <tm/core/strings.hpp>
#include <tm/sources/artemis/parse.hpp>
#include <tm/sources/binance/binance.hpp>
#include <tm/sources/coinbase/coinbase.hpp>
#include <tm/sources/coingecko/parse.hpp>
#include <tm/sources/defillama/parse.hpp>
#include <tm/sources/hyperliquid/parse.hpp>
#include <tm/sources/kraken/kraken.hpp>

#include <catch2/catch.hpp>

#include <functional>
#include <map>

namespace {

namespace dl = sources::defillama;

const core::Time k_ts = core::from_unix_seconds(1710201600);

std::string fixture(const std::string& name) {
    return std::string(
        core::strings::trim(core::files::read(std::string(TM_FIXTURE_DIR) + "/http/" + name)));
}

struct Case {
    const char* parser;
    std::string body;
    std::function<void(std::string&)> parse;
};

std::vector<Case> cases() {
    std::vector<Case> out;
    auto batch = [](auto fn) {
        return [fn](std::string& body) {
            store::Batch b;
            fn(body, b);
        };
    };
    auto with_assets = [](auto fn) {
        return [fn](std::string& body) {
            store::Batch b;
            std::vector<store::Asset> assets;
            fn(body, b, assets);
        };
    };
    out.push_back(
        {"defillama parse_protocols",
         fixture("defillama/protocols.json"),
         with_assets([](auto& s, auto& b, auto& a) { dl::parse_protocols(s, k_ts, b, a); })});
    out.push_back(
        {"defillama parse_chains",
         fixture("defillama/v2/chains.json"),
         with_assets([](auto& s, auto& b, auto& a) { dl::parse_chains(s, k_ts, b, a); })});
    out.push_back(
        {"defillama parse_protocol_history",
         fixture("defillama/protocol/uniswap-v3.json"),
         batch([](auto& s, auto& b) { dl::parse_protocol_history(s, "uniswap-v3", b); })});
    out.push_back({"defillama parse_chain_history",
                   fixture("defillama/v2/historicalChainTvl/Ethereum.json"),
                   batch([](auto& s, auto& b) { dl::parse_chain_history(s, "ethereum", b); })});
    out.push_back({"defillama parse_overview",
                   fixture("defillama/overview/dexs.json"),
                   batch([](auto& s, auto& b) {
                       dl::parse_overview(s, "DEX_VOLUME_24H", "CHAIN_DEX_VOLUME_24H", k_ts, b);
                   })});
    out.push_back({"defillama parse_dimension_chart",
                   fixture("defillama/summary/dexs/curve-dex.json"),
                   batch([](auto& s, auto& b) {
                       dl::parse_dimension_chart(s, "curve-dex", "DEX_VOLUME_24H", b);
                   })});
    out.push_back({"defillama parse_inflows",
                   fixture("defillama/inflows/uniswap-v3/1710201600@end=1710288000.json"),
                   batch([](auto& s, auto& b) { dl::parse_inflows(s, "uniswap-v3", k_ts, b); })});
    out.push_back(
        {"defillama parse_stablecoins",
         fixture("defillama-stablecoins/stablecoins.json"),
         with_assets([](auto& s, auto& b, auto& a) { dl::parse_stablecoins(s, k_ts, b, a); })});
    out.push_back({"defillama parse_stablecoin_chains",
                   fixture("defillama-stablecoins/stablecoinchains.json"),
                   batch([](auto& s, auto& b) { dl::parse_stablecoin_chains(s, k_ts, b); })});
    out.push_back({"defillama parse_stablecoin_chart",
                   fixture("defillama-stablecoins/stablecoincharts/Ethereum.json"),
                   batch([](auto& s, auto& b) {
                       dl::parse_stablecoin_chart(s, "ethereum", "CHAIN_STABLECOIN_SUPPLY", b);
                   })});
    out.push_back({"defillama parse_pools",
                   fixture("defillama-yields/pools.json"),
                   with_assets([](auto& s, auto& b, auto& a) { dl::parse_pools(s, k_ts, b, a); })});
    out.push_back({"defillama parse_lend_borrow (bare array)",
                   fixture("defillama-yields/lendBorrow.json"),
                   batch([](auto& s, auto& b) { dl::parse_lend_borrow(s, k_ts, b); })});
    out.push_back({"defillama parse_lend_borrow ({data})",
                   fixture("defillama-yields/poolsBorrow.json"),
                   batch([](auto& s, auto& b) { dl::parse_lend_borrow(s, k_ts, b); })});
    out.push_back({"defillama parse_pool_chart",
                   fixture("defillama-yields/chart/aa70268e-4b52-42bf-a116-608b370f9501.json"),
                   batch([](auto& s, auto& b) { dl::parse_pool_chart(s, "aa70268e", b); })});
    out.push_back(
        {"defillama parse_lend_borrow_chart",
         fixture("defillama-yields/chartLendBorrow/aa70268e-4b52-42bf-a116-608b370f9501.json"),
         batch([](auto& s, auto& b) { dl::parse_lend_borrow_chart(s, "aa70268e", b); })});
    out.push_back(
        {"defillama parse_bridges",
         fixture("defillama-bridges/bridges.json"),
         with_assets([](auto& s, auto& b, auto& a) { dl::parse_bridges(s, k_ts, b, a); })});
    out.push_back({"defillama parse_bridge_volume",
                   fixture("defillama-bridges/bridgevolume/all@id=80.json"),
                   batch([](auto& s, auto& b) { dl::parse_bridge_volume(s, "80", b); })});

    namespace cg = sources::coingecko;
    out.push_back(
        {"coingecko parse_simple_price",
         R"({"bitcoin":{"usd":67000.5,"usd_market_cap":1.3e12,"last_updated_at":1710201600}})",
         batch([](auto& s, auto& b) {
             std::vector<std::string> answered;
             cg::parse_simple_price(s, k_ts, b, answered);
         })});
    out.push_back({"coingecko parse_market_chart",
                   R"({"prices":[[1710201600000,67000.5]],"market_caps":[],"total_volumes":[]})",
                   batch([](auto& s, auto& b) { cg::parse_market_chart(s, "bitcoin", b); })});
    out.push_back({"coingecko parse_coin_list",
                   R"([{"id":"bitcoin","symbol":"btc","name":"Bitcoin"}])",
                   [](std::string& s) { cg::parse_coin_list(s); }});

    namespace hl = sources::hyperliquid;
    out.push_back(
        {"hyperliquid parse_asset_contexts",
         fixture("hyperliquid/info@type=metaAndAssetCtxs.json"),
         with_assets([](auto& s, auto& b, auto& a) { hl::parse_asset_contexts(s, k_ts, b, a); })});
    out.push_back({"hyperliquid parse_perp_dexs",
                   fixture("hyperliquid/info@type=perpDexs.json"),
                   [](std::string& s) { hl::parse_perp_dexs(s); }});
    out.push_back({"hyperliquid parse_predicted_fundings",
                   fixture("hyperliquid/info@type=predictedFundings.json"),
                   batch([](auto& s, auto& b) { hl::parse_predicted_fundings(s, k_ts, b); })});
    out.push_back({"hyperliquid parse_funding_history",
                   fixture("hyperliquid/fundingHistory/BTC.json"),
                   batch([](auto& s, auto& b) {
                       int64_t last = 0;
                       hl::parse_funding_history(s, b, last);
                   })});

    out.push_back({"kraken parse_asset_pairs",
                   fixture("kraken/0/public/AssetPairs.json"),
                   [](std::string& s) { sources::kraken::parse_asset_pairs(s); }});
    out.push_back(
        {"kraken parse_ticker", fixture("kraken/market/Ticker.json"), batch([](auto& s, auto& b) {
             const std::map<std::string, std::string, std::less<>> asked{{"XXBTZUSD", "XBTUSD"}};
             std::vector<std::string> answered, ignored;
             sources::kraken::parse_ticker(s, asked, k_ts, b, answered, ignored);
         })});

    namespace bn = sources::binance;
    out.push_back({"binance parse_symbols",
                   R"([{"symbol":"BTCUSDT","price":"67000.5"}])",
                   [](std::string& s) { bn::parse_symbols(s); }});
    out.push_back({"binance parse_tickers",
                   fixture("binance/ticker/BTCUSDT.json"),
                   batch([](auto& s, auto& b) { bn::parse_tickers(s, b); })});
    out.push_back(
        {"binance parse_klines",
         R"([[1710201600000,"1.0","2.0","0.5","1.5","100.0",1710205199999,"150.0",10,"50.0","75.0","0"]])",
         batch([](auto& s, auto& b) {
             int64_t last = 0;
             bn::parse_klines(s, "BTCUSDT", "1h", b, last);
         })});

    out.push_back(
        {"coinbase parse_ticker",
         fixture("coinbase/products/BTC-USDT/ticker.json"),
         batch([](auto& s, auto& b) { sources::coinbase::parse_ticker(s, "BTC-USDT", b); })});
    out.push_back({"coinbase parse_products",
                   fixture("coinbase/products.json"),
                   [](std::string& s) { sources::coinbase::parse_products(s); }});

    namespace ar = sources::artemis;
    out.push_back({"artemis parse_metrics",
                   R"({"data":{"symbols":{"sol":{"PRICE":[{"date":"2024-03-12","val":150.5}]}}}})",
                   batch([](auto& s, auto& b) {
                       std::vector<ar::Skipped> skipped;
                       ar::parse_metrics(s, b, skipped);
                   })});
    out.push_back({"artemis parse_symbol_list",
                   R"({"assets":[{"symbol":"SOL"}]})",
                   [](std::string& s) { ar::parse_symbol_list(s); }});
    return out;
}

} // namespace

TEST_CASE("every parser refuses a body missing its final brace or bracket") {
    for (auto& c : cases()) {
        DYNAMIC_SECTION(c.parser) {
            std::string whole = c.body;
            REQUIRE_NOTHROW(c.parse(whole));
            std::string cut = c.body.substr(0, c.body.size() - 1);
            REQUIRE((c.body.back() == '}' || c.body.back() == ']'));
            CHECK_THROWS_AS(c.parse(cut), core::DataError);
        }
    }
}
