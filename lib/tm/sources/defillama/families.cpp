#include <tm/sources/defillama/families.hpp>

#include <algorithm>
#include <stdexcept>
#include <string>

namespace sources::defillama {

const std::vector<Family>& families() {
    using enum Kind;
    static const std::vector<Family> table = {
        {FamilyId::tvl, "tvl", Tier::free, protocol, {"TVL"}, chain, {}, {}, {}},
        {FamilyId::chain_tvl, "chain_tvl", Tier::free, chain, {"CHAIN_TVL"}, chain, {}, {}, {}},
        {FamilyId::fees,
         "fees",
         Tier::free,
         protocol,
         {"FEES_24H"},
         chain,
         {"CHAIN_FEES_24H"},
         "fees",
         "dailyFees"},
        {FamilyId::revenue,
         "revenue",
         Tier::free,
         protocol,
         {"REVENUE_24H"},
         chain,
         {"CHAIN_REVENUE_24H"},
         "fees",
         "dailyRevenue"},
        {FamilyId::holders_revenue,
         "holders_revenue",
         Tier::free,
         protocol,
         {"HOLDERS_REVENUE_24H"},
         chain,
         {"CHAIN_HOLDERS_REVENUE_24H"},
         "fees",
         "dailyHoldersRevenue"},
        {FamilyId::dex_volume,
         "dex_volume",
         Tier::free,
         protocol,
         {"DEX_VOLUME_24H"},
         chain,
         {"CHAIN_DEX_VOLUME_24H"},
         "dexs",
         {}},
        {FamilyId::options_premium,
         "options_premium",
         Tier::free,
         protocol,
         {"OPTIONS_PREMIUM_24H"},
         chain,
         {"CHAIN_OPTIONS_PREMIUM_24H"},
         "options",
         "dailyPremiumVolume"},
        {FamilyId::options_notional,
         "options_notional",
         Tier::free,
         protocol,
         {"OPTIONS_NOTIONAL_24H"},
         chain,
         {"CHAIN_OPTIONS_NOTIONAL_24H"},
         "options",
         "dailyNotionalVolume"},
        {FamilyId::aggregator_volume,
         "aggregator_volume",
         Tier::free,
         protocol,
         {"AGGREGATOR_VOLUME_24H"},
         chain,
         {"CHAIN_AGGREGATOR_VOLUME_24H"},
         "aggregators",
         {}},
        {FamilyId::derivatives_volume,
         "derivatives_volume",
         Tier::pro,
         protocol,
         {"DERIVATIVES_VOLUME_24H"},
         chain,
         {"CHAIN_DERIVATIVES_VOLUME_24H"},
         "derivatives",
         {}},
        {FamilyId::open_interest,
         "open_interest",
         Tier::free,
         protocol,
         {"OPEN_INTEREST"},
         chain,
         {"CHAIN_OPEN_INTEREST"},
         "open-interest",
         {}},
        {FamilyId::stablecoins,
         "stablecoins",
         Tier::free,
         stablecoin,
         {"STABLECOIN_SUPPLY"},
         chain,
         {},
         {},
         {}},
        {FamilyId::chain_stablecoins,
         "chain_stablecoins",
         Tier::free,
         chain,
         {"CHAIN_STABLECOIN_SUPPLY"},
         chain,
         {},
         {},
         {}},
        {FamilyId::bridges,
         "bridges",
         Tier::pro,
         bridge,
         {"BRIDGE_VOLUME_24H", "BRIDGE_VOLUME_7D", "BRIDGE_VOLUME_30D"},
         chain,
         {},
         {},
         {}},
        {FamilyId::pools,
         "pools",
         Tier::free,
         pool,
         {"APY", "APY_BASE", "APY_REWARD", "POOL_TVL"},
         chain,
         {},
         {},
         {}},
        {FamilyId::utilization,
         "utilization",
         Tier::free,
         pool,
         {"UTILIZATION"},
         chain,
         {},
         {},
         {}},
        {FamilyId::flows, "flows", Tier::pro, protocol, {"INFLOW", "OUTFLOW"}, chain, {}, {}, {}},
    };
    return table;
}

const Family& family(FamilyId id) {
    const auto& all = families();
    const auto it =
        std::find_if(all.begin(), all.end(), [id](const Family& f) { return f.id == id; });
    if (it == all.end()) {
        throw std::logic_error("a DefiLlama family id without a row in families()");
    }
    return *it;
}

const Family* family_of(std::string_view metric, Kind* kind) {
    for (const auto& f : families()) {
        if (std::find(f.metrics.begin(), f.metrics.end(), metric) != f.metrics.end()) {
            if (kind != nullptr) {
                *kind = f.kind;
            }
            return &f;
        }
        if (std::find(f.twin_metrics.begin(), f.twin_metrics.end(), metric)
            != f.twin_metrics.end()) {
            if (kind != nullptr) {
                *kind = f.twin_kind;
            }
            return &f;
        }
    }
    return nullptr;
}

Kind kind_of(std::string_view metric) {
    Kind kind;
    if (family_of(metric, &kind) == nullptr) {
        throw std::logic_error("no DefiLlama metric " + std::string(metric));
    }
    return kind;
}

std::vector<std::string_view> all_metrics() {
    std::vector<std::string_view> out;
    for (const auto& f : families()) {
        out.insert(out.end(), f.metrics.begin(), f.metrics.end());
        out.insert(out.end(), f.twin_metrics.begin(), f.twin_metrics.end());
    }
    return out;
}

} // namespace sources::defillama
