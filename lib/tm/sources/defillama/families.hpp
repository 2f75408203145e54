#pragma once

#include <tm/store/asset_kind.hpp>

#include <string_view>
#include <vector>

namespace sources::defillama {

// What a family's assets are: protocol, chain, stablecoin, bridge or pool.
using Kind = store::AssetKind;

enum class Tier { free, pro };

// Every family tm pulls from DefiLlama. Code that treats families differently switches over the
// id without a default, so that the compiler names each place a new family must be handled.
enum class FamilyId {
    tvl,
    chain_tvl,
    fees,
    revenue,
    holders_revenue,
    dex_volume,
    options_premium,
    options_notional,
    aggregator_volume,
    derivatives_volume,
    open_interest,
    stablecoins,
    chain_stablecoins,
    bridges,
    pools,
    utilization,
    flows,
};

// A metric family: the metrics one live request (or one history request per asset) yields.
struct Family {
    FamilyId id;
    std::string_view name;
    Tier tier;
    Kind kind;
    std::vector<std::string_view> metrics; // the protocol (or main) metrics
    Kind twin_kind; // kind of `twin_metrics` (chain twins of protocol metrics)
    std::vector<std::string_view> twin_metrics;
    // Dimension families: the adapter type and dataType of /overview and /summary.
    std::string_view dimension_type;
    std::string_view data_type;
};

// Every family tm pulls from DefiLlama, in request order.
const std::vector<Family>& families();

// The family `id` (every id has one).
const Family& family(FamilyId id);

// The family and kind that produce `metric`; nullptr when DefiLlama has no such metric.
const Family* family_of(std::string_view metric, Kind* kind = nullptr);

// The kind of the assets whose series `metric` is: protocol for FEES_24H, chain for
// CHAIN_FEES_24H. Throws std::logic_error for a metric DefiLlama does not have.
Kind kind_of(std::string_view metric);

// Every metric name DefiLlama yields, for messages and --metrics validation.
std::vector<std::string_view> all_metrics();

} // namespace sources::defillama
