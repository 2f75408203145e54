#pragma once

#include <tm/store/asset_kind.hpp>

#include <string_view>
#include <vector>

namespace sources::defillama {

// What a family's assets are: protocol, chain, stablecoin, bridge or pool.
using Kind = store::AssetKind;

enum class Tier { free, pro };

// A metric family: the metrics one live request (or one history request per asset) yields.
struct Family {
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

// The family and kind that produce `metric`; nullptr when DefiLlama has no such metric.
const Family* family_of(std::string_view metric, Kind* kind = nullptr);

// The kind of the assets whose series `metric` is: protocol for FEES_24H, chain for
// CHAIN_FEES_24H. Throws std::logic_error for a metric DefiLlama does not have.
Kind kind_of(std::string_view metric);

// Every metric name DefiLlama yields, for messages and --metrics validation.
std::vector<std::string_view> all_metrics();

} // namespace sources::defillama
