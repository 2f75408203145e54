#pragma once

#include <tm/core/time.hpp>
#include <tm/http/response.hpp>
#include <tm/sources/exchanges/ticker_source.hpp>
#include <tm/store/batch.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sources::binance {

inline constexpr const char* k_source = "binance";

// Binance's error code for a symbol it does not list ({"code":-1121,"msg":"Invalid symbol."},
// HTTP 400, for the whole symbols=[…] list when one of them is unknown).
inline constexpr int64_t k_invalid_symbol = -1121;

// GET /api/v3/ticker/price (every symbol, weight 4) → the symbols Binance lists.
std::vector<std::string> parse_symbols(std::string& body);

// The `code` of a Binance error body ({"code":-1121,"msg":…}), if it is one.
std::optional<int64_t> error_code(const http::Response& response);

// GET /api/v3/ticker/24hr?symbols=[…] (one object, or an array of them) → PRICE (lastPrice; none
// when 0, no trade), VOLUME_24H (base asset), QUOTE_VOLUME_24H at the ticker's closeTime
// (research §D.1).
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
// final with a clear word. Names are checked against the symbol list first (once per run), so an
// unknown symbol is named and never sinks the batch of up to 20 it would have shared.
class Binance : public exchanges::TickerSource {
public:
    Binance(const Selection& selection, Mode mode);
    bool plan_pull(PullContext& ctx, int phase) override;
    bool plan_backfill(BackfillContext& ctx, int phase) override;

private:
    void fetch_catalogue(RunContext& ctx);
    // The symbols to ask for: those the list has (the others go to m_invalid), or every one
    // when the list did not arrive.
    std::vector<std::string> checked();
    // Reports the unknown symbols (unlisted, or refused as invalid) with the closest listed ones,
    // and adds the assets rows of the others.
    void report_invalid(RunContext& ctx);
    // Tickers of up to 20 `symbols` in one request; a list refused for an unknown symbol is
    // halved until that symbol stands alone (only when the names could not be checked).
    void fetch_tickers(PullContext& ctx, std::vector<std::string> symbols);
    // Fetches `symbol`'s klines from `start`, 1,000 per request, each page after the last.
    void page(BackfillContext& ctx, std::string symbol, core::Time start);
    // Records 418 (banned) and 451 (restricted location) with what to do; false for others.
    static bool refused(RunContext& ctx, const std::string& label, const http::Response& r);

    std::string m_interval;
    std::optional<std::vector<std::string>> m_catalogue; // kept across the samples of --every
    std::vector<std::string> m_invalid; // unlisted symbols, and those Binance refused
    int m_data_phase = 0;
};

inline constexpr const char* k_symbol_list = "GET /api/v3/ticker/price";

} // namespace sources::binance
