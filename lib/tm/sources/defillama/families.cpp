#include <tm/sources/defillama/families.hpp>

#include <algorithm>
#include <stdexcept>
#include <string>

namespace sources::defillama {

namespace {

// A family of one kind of asset with no chain twin.
Family plain(FamilyId id,
             std::string_view name,
             Tier tier,
             Kind kind,
             std::vector<std::string_view> metrics) {
    return {id, name, tier, kind, std::move(metrics), Kind::chain, {}, {}, {}};
}

// A dimension family (research §3.3): `metric` per protocol from /summary/{type}, and its chain
// twin from /overview/{type}, for the adapter `type` and `data_type` (empty: the default one).
Family dimension(FamilyId id,
                 std::string_view name,
                 Tier tier,
                 std::string_view metric,
                 std::string_view twin,
                 std::string_view type,
                 std::string_view data_type = {}) {
    return {id, name, tier, Kind::protocol, {metric}, Kind::chain, {twin}, type, data_type};
}

} // namespace

const std::vector<Family>& families() {
    using enum store::AssetKind; // not the alias Kind: clang refuses `using enum` on an alias
    using enum FamilyId;
    const auto free = Tier::free;
    const auto pro = Tier::pro;
    static const std::vector<Family> table = {
        plain(tvl, "tvl", free, protocol, {"TVL"}),
        plain(chain_tvl, "chain_tvl", free, chain, {"CHAIN_TVL"}),
        dimension(fees, "fees", free, "FEES_24H", "CHAIN_FEES_24H", "fees", "dailyFees"),
        dimension(
            revenue, "revenue", free, "REVENUE_24H", "CHAIN_REVENUE_24H", "fees", "dailyRevenue"),
        dimension(holders_revenue,
                  "holders_revenue",
                  free,
                  "HOLDERS_REVENUE_24H",
                  "CHAIN_HOLDERS_REVENUE_24H",
                  "fees",
                  "dailyHoldersRevenue"),
        dimension(dex_volume, "dex_volume", free, "DEX_VOLUME_24H", "CHAIN_DEX_VOLUME_24H", "dexs"),
        dimension(options_premium,
                  "options_premium",
                  free,
                  "OPTIONS_PREMIUM_24H",
                  "CHAIN_OPTIONS_PREMIUM_24H",
                  "options",
                  "dailyPremiumVolume"),
        dimension(options_notional,
                  "options_notional",
                  free,
                  "OPTIONS_NOTIONAL_24H",
                  "CHAIN_OPTIONS_NOTIONAL_24H",
                  "options",
                  "dailyNotionalVolume"),
        dimension(aggregator_volume,
                  "aggregator_volume",
                  free,
                  "AGGREGATOR_VOLUME_24H",
                  "CHAIN_AGGREGATOR_VOLUME_24H",
                  "aggregators"),
        dimension(derivatives_volume,
                  "derivatives_volume",
                  pro,
                  "DERIVATIVES_VOLUME_24H",
                  "CHAIN_DERIVATIVES_VOLUME_24H",
                  "derivatives"),
        dimension(open_interest,
                  "open_interest",
                  free,
                  "OPEN_INTEREST",
                  "CHAIN_OPEN_INTEREST",
                  "open-interest"),
        plain(stablecoins, "stablecoins", free, stablecoin, {"STABLECOIN_SUPPLY"}),
        plain(chain_stablecoins, "chain_stablecoins", free, chain, {"CHAIN_STABLECOIN_SUPPLY"}),
        plain(bridges,
              "bridges",
              pro,
              bridge,
              {"BRIDGE_VOLUME_24H", "BRIDGE_VOLUME_7D", "BRIDGE_VOLUME_30D"}),
        plain(pools, "pools", free, pool, {"APY", "APY_BASE", "APY_REWARD", "POOL_TVL"}),
        plain(utilization, "utilization", free, pool, {"UTILIZATION"}),
        plain(flows, "flows", pro, protocol, {"INFLOW", "OUTFLOW"}),
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
