#pragma once

#include <tm/core/time.hpp>
#include <tm/store/asset_writer.hpp>
#include <tm/store/batch.hpp>

#include <string>
#include <vector>

namespace sources::defillama {

inline constexpr const char* k_source = "defillama";

// GET /protocols: `TVL` (USD) of every protocol at snapshot time `ts`, asset = slug, plus its
// assets row. A protocol without a number in `tvl` has no point (absent and null are alike).
void parse_protocols(std::string& body,
                     core::Time ts,
                     store::Batch& out,
                     std::vector<store::Asset>& assets);

// GET /v2/chains: `CHAIN_TVL` (USD) of every chain at `ts`, asset = chain_key(name).
void parse_chains(std::string& body,
                  core::Time ts,
                  store::Batch& out,
                  std::vector<store::Asset>& assets);

} // namespace sources::defillama
