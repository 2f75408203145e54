#pragma once

#include <tm/core/time.hpp>
#include <tm/store/asset.hpp>
#include <tm/store/batch.hpp>

#include <string>
#include <string_view>
#include <vector>

// Pure parsers of DefiLlama responses (research/defillama-api.md, section numbers below): a body
// in, points and asset rows out. They throw json::ShapeError naming the JSON path when a body is
// not what the research documents. Absent and null are alike: no point.
namespace sources::defillama {

inline constexpr const char* k_source = "defillama";
using Assets = std::vector<store::Asset>;

// §3.1 GET /protocols: `TVL` of every protocol at snapshot time `ts`, asset = slug.
void parse_protocols(std::string& body, core::Time ts, store::Batch& out, Assets& assets);
// §3.5 GET /v2/chains: `CHAIN_TVL` of every chain at `ts`, asset = chain_key(name).
void parse_chains(std::string& body, core::Time ts, store::Batch& out, Assets& assets);
// §3.2 GET /protocol/{slug}: `TVL` history from `tvl[]` at the API's own times.
void parse_protocol_history(std::string& body, std::string_view slug, store::Batch& out);
// §3.5 GET /v2/historicalChainTvl/{chain}: `CHAIN_TVL` history.
void parse_chain_history(std::string& body, std::string_view chain_key, store::Batch& out);

// §3.3 GET /overview/{type}: per protocol `total24h` (the last complete UTC day) as `metric`,
// and per chain the sum over protocols of `breakdown24h` as `chain_metric` (when not empty),
// both stamped `day`. Chain keys are DefiLlama's internal ones, so the sum is what
// /overview/{type}/{chain} reports, without one request per chain.
void parse_overview(std::string& body,
                    std::string_view metric,
                    std::string_view chain_metric,
                    core::Time day,
                    store::Batch& out);
// §3.3/§3.4 `totalDataChart` [[ts, v]] of /summary/{type}/{slug} or /overview/{type}/{chain}.
void parse_dimension_chart(std::string& body,
                           std::string_view asset,
                           std::string_view metric,
                           store::Batch& out);
// §3.10 GET /api/inflows/{slug}/{start}?end=: `outflows` is a net INFLOW when positive. Stored
// as INFLOW = max(net, 0) and OUTFLOW = max(-net, 0), both every day, stamped `day`.
void parse_inflows(std::string& body, std::string_view slug, core::Time day, store::Batch& out);

// §3.6 GET /stablecoins: `STABLECOIN_SUPPLY` (circulating, USD since 2025-12) per stablecoin id.
void parse_stablecoins(std::string& body, core::Time ts, store::Batch& out, Assets& assets);
// §3.6 GET /stablecoinchains: `CHAIN_STABLECOIN_SUPPLY`, the sum over pegs of totalCirculatingUSD.
void parse_stablecoin_chains(std::string& body, core::Time ts, store::Batch& out);
// §3.6 GET /stablecoincharts/{all|chain}: sum over pegs of totalCirculatingUSD per (string) date.
void parse_stablecoin_chart(std::string& body,
                            std::string_view asset,
                            std::string_view metric,
                            store::Batch& out);

// §3.8 GET /pools: `APY`, `APY_BASE`, `APY_REWARD` (percent) and `POOL_TVL` per pool UUID.
void parse_pools(std::string& body, core::Time ts, store::Batch& out, Assets& assets);
// §3.8 GET /lendBorrow (bare array) or pro /poolsBorrow ({data}): `UTILIZATION` =
// totalBorrowUsd / totalSupplyUsd where the supply is positive.
void parse_lend_borrow(std::string& body, core::Time ts, store::Batch& out);
// §3.8 GET /chart/{pool}: the four pool metrics at the API's ISO times.
void parse_pool_chart(std::string& body, std::string_view pool, store::Batch& out);
// §3.8 GET /chartLendBorrow/{pool}: `UTILIZATION` history.
void parse_lend_borrow_chart(std::string& body, std::string_view pool, store::Batch& out);

// §3.7 GET /bridges: `BRIDGE_VOLUME_24H` (last24hVolume), `_7D` (weeklyVolume), `_30D`
// (monthlyVolume) per bridge id.
void parse_bridges(std::string& body, core::Time ts, store::Batch& out, Assets& assets);
// §3.7 GET /bridgevolume/all?id=: daily `BRIDGE_VOLUME_24H` = (depositUSD + withdrawUSD) / 2.
void parse_bridge_volume(std::string& body, std::string_view bridge, store::Batch& out);

} // namespace sources::defillama
