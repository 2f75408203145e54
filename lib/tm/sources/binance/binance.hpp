#pragma once

#include <tm/core/time.hpp>
#include <tm/sources/exchanges/ticker_source.hpp>
#include <tm/store/batch.hpp>

namespace sources::binance {

inline constexpr const char* k_source = "binance";

// GET /api/v3/ticker/24hr?symbols=[…] (one object, or an array of them) → PRICE (lastPrice),
// VOLUME_24H (base asset), QUOTE_VOLUME_24H at the ticker's closeTime (research §D.1).
void parse_tickers(std::string& body, store::Batch& out);

// Binance spot tickers; 418 (IP ban) and 451 (restricted location) are final with a clear word.
class Binance : public exchanges::TickerSource {
public:
    Binance(const Selection& selection, Mode mode);
    bool plan_pull(PullContext& ctx, int phase) override;
};

} // namespace sources::binance
