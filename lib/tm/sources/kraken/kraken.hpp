#pragma once

#include <tm/core/time.hpp>
#include <tm/sources/exchanges/ticker_source.hpp>
#include <tm/store/batch.hpp>

namespace sources::kraken {

inline constexpr const char* k_source = "kraken";

// GET /0/public/Ticker?pair=X → PRICE (c[0], last trade) and VOLUME_24H (v[1]) of the single
// result entry, whatever Kraken names it (XBTUSD is answered as XXBTZUSD), stored under the
// pair asked for at `ts`. Errors come in an HTTP 200 body ({"error":["EQuery:…"]}): a DataError.
void parse_ticker(std::string& body, const std::string& pair, core::Time ts, store::Batch& out);

class Kraken : public exchanges::TickerSource {
public:
    Kraken(const Selection& selection, Mode mode);
    bool plan_pull(PullContext& ctx, int phase) override;
};

} // namespace sources::kraken
