#pragma once

#include <tm/core/time.hpp>
#include <tm/sources/exchanges/ticker_source.hpp>
#include <tm/store/batch.hpp>

namespace sources::binance {

inline constexpr const char* k_source = "binance";

// GET /api/v3/ticker/24hr?symbols=[…] (one object, or an array of them) → PRICE (lastPrice),
// VOLUME_24H (base asset), QUOTE_VOLUME_24H at the ticker's closeTime (research §D.1).
void parse_tickers(std::string& body, store::Batch& out);

// GET /api/v3/klines → OPEN_<I>, HIGH_<I>, LOW_<I>, CLOSE_<I>, VOLUME_<I> (I the interval in upper
// case, so intervals never mix in one series) at each candle's open time. Returns the rows read
// and sets `last_open_ms` to the newest open time.
size_t parse_klines(std::string& body,
                    const std::string& symbol,
                    const std::string& interval,
                    store::Batch& out,
                    int64_t& last_open_ms);

// Binance spot: tickers live, klines as history; 418 (IP ban) and 451 (restricted location) are
// final with a clear word.
class Binance : public exchanges::TickerSource {
public:
    Binance(const Selection& selection, Mode mode);
    bool plan_pull(PullContext& ctx, int phase) override;
    bool plan_backfill(BackfillContext& ctx, int phase) override;

private:
    // Fetches `symbol`'s klines from `start`, 1,000 per request, each page after the last.
    void page(BackfillContext& ctx, std::string symbol, core::Time start);
    std::string m_interval;
};

} // namespace sources::binance
