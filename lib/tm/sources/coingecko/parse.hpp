#pragma once

#include <tm/core/time.hpp>
#include <tm/store/batch.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

// CoinGecko API v3 responses (research/market-apis.md §C), prices in USD.
namespace sources::coingecko {

inline constexpr const char* k_source = "coingecko";

// GET /simple/price?ids=…&vs_currencies=usd&include_market_cap=true&include_24hr_vol=true
// &include_last_updated_at=true → PRICE (none when 0), MARKET_CAP, VOLUME_24H per coin id at its
// `last_updated_at` (`fallback` when absent). Unknown ids are simply not in the object: the ids
// that are go to `answered`.
void parse_simple_price(std::string& body,
                        core::Time fallback,
                        store::Batch& out,
                        std::vector<std::string>& answered);

// GET /coins/{id}/market_chart/range → PRICE, MARKET_CAP, VOLUME_24H at the chart's ms times.
// Null and zero market caps are no value (both occur for young coins), and so is a zero price.
void parse_market_chart(std::string& body, const std::string& coin, store::Batch& out);

// GET /coins/list → every coin id.
std::vector<std::string> parse_coin_list(std::string& body);

// CoinGecko's own error code in an error body ({"status":{"error_code":10010,…}} or
// {"error":{"status":{"error_code":10012,…}}}), if the body is one.
std::optional<int64_t> error_code(const std::string& body);

// Error 10012: a keyless or demo request reaches further back than the public 365 days.
inline constexpr int64_t k_outside_public_range = 10012;

} // namespace sources::coingecko
