#pragma once

#include <tm/core/time.hpp>
#include <tm/store/asset.hpp>
#include <tm/store/batch.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

// Hyperliquid info responses (research/market-apis.md §B). Decimals arrive as strings; null and
// "NaN" are no value.
namespace sources::hyperliquid {

inline constexpr const char* k_source = "hyperliquid";

// POST /info {"type":"metaAndAssetCtxs"[,"dex":"xyz"]} → [meta, [ctx…]], ctx i belonging to
// universe[i]. Per listed perp at `ts`: FUNDING_RATE (per funding interval), OPEN_INTEREST
// (coins), MARK_PRICE, ORACLE_PRICE (none when 0: no price), PREMIUM, VOLUME_24H (dayNtlVlm,
// USD). Delisted perps are skipped. A builder dex's (`dex`) coins are named "xyz:XYZ100", as
// Hyperliquid names them (a name without the prefix gets it).
void parse_asset_contexts(std::string& body,
                          core::Time ts,
                          store::Batch& out,
                          std::vector<store::Asset>& assets,
                          std::string_view dex = {});

// POST /info {"type":"perpDexs"} → [null, {"name":"xyz",…}, …]: the names of the builder-deployed
// perp dexes (HIP-3); the null is the main dex.
std::vector<std::string> parse_perp_dexs(std::string& body);

// POST /info {"type":"predictedFundings"} → PREDICTED_FUNDING_RATE_<VENUE> per coin at `ts`
// (venues HLPERP, BINPERP, BYBITPERP…); a null venue is skipped.
void parse_predicted_fundings(std::string& body, core::Time ts, store::Batch& out);

// POST /info {"type":"fundingHistory",…} → FUNDING_RATE at the API's own times (ms jitter kept).
// Returns the rows read and sets `last_ms` to the newest time (unchanged when empty).
size_t parse_funding_history(std::string& body, store::Batch& out, int64_t& last_ms);

} // namespace sources::hyperliquid
