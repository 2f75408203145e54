#pragma once

#include <tm/sources/exchanges/ticker_source.hpp>
#include <tm/store/batch.hpp>

namespace sources::coinbase {

inline constexpr const char* k_source = "coinbase";

// GET /products/{id}/ticker (Coinbase Exchange) → PRICE and VOLUME_24H at the ticker's `time`.
void parse_ticker(std::string& body, const std::string& product, store::Batch& out);

class Coinbase : public exchanges::TickerSource {
public:
    Coinbase(const Selection& selection, Mode mode);
    bool plan_pull(PullContext& ctx, int phase) override;
};

} // namespace sources::coinbase
