#pragma once

#include <tm/core/time.hpp>
#include <tm/store/batch.hpp>

#include <string>

// CoinGecko API v3 responses (research/market-apis.md §C), prices in USD.
namespace sources::coingecko {

inline constexpr const char* k_source = "coingecko";

// GET /simple/price?ids=…&vs_currencies=usd&include_market_cap=true&include_24hr_vol=true
// &include_last_updated_at=true → PRICE, MARKET_CAP, VOLUME_24H per coin id at its
// `last_updated_at` (`fallback` when absent). Unknown ids are simply not in the object.
void parse_simple_price(std::string& body, core::Time fallback, store::Batch& out);

// GET /coins/{id}/market_chart/range → PRICE, MARKET_CAP, VOLUME_24H at the chart's ms times.
// Null and zero market caps are no value (both occur for young coins).
void parse_market_chart(std::string& body, const std::string& coin, store::Batch& out);

} // namespace sources::coingecko
