#include <tm/core/strings.hpp>
#include <tm/sources/defillama/chains.hpp>

#include <array>
#include <utility>

namespace sources::defillama {
namespace {

// Label (lower case) → internal key, for labels whose key is not simply the lower-cased label.
// Evidence: research/defillama-api.md §5.1 (transformNewChainName, breakdown24h keys).
constexpr auto k_aliases = std::to_array<std::pair<std::string_view, std::string_view>>({
    {"binance", "bsc"},
    {"bnb chain", "bsc"},
    {"xdai", "xdai"},
    {"gnosis", "xdai"},
    {"avalanche", "avax"},
    {"zksync era", "era"},
    {"op mainnet", "optimism"},
    {"hyperliquid l1", "hyperliquid"},
    {"terra classic", "terra"},
    {"kucoin", "kcc"},
    {"cosmoshub", "cosmos"},
    {"cosmos hub", "cosmos"},
    {"oktchain", "okexchain"},
    {"okexchain", "okexchain"},
    {"rootstock", "rsk"},
    {"kaia", "klaytn"},
    {"polygon zkevm", "polygon_zkevm"},
    {"arbitrum nova", "arbitrum_nova"},
    {"ethereumclassic", "ethereumclassic"},
    {"ethereum classic", "ethereumclassic"},
    {"multiversx", "elrond"},
    {"bitcoincash", "bitcoincash"},
});

} // namespace

std::string chain_key(std::string_view label) {
    const std::string lower = core::strings::to_lower(core::strings::trim(label));
    for (const auto& [alias, key] : k_aliases) {
        if (lower == alias) {
            return std::string(key);
        }
    }
    std::string key = lower;
    for (char& c : key) {
        if (c == ' ') {
            c = '_';
        }
    }
    return key;
}

} // namespace sources::defillama
