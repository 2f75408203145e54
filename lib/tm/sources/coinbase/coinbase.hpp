#pragma once

#include <tm/sources/exchanges/ticker_source.hpp>
#include <tm/sources/missing_names.hpp>
#include <tm/store/batch.hpp>

#include <string>
#include <vector>

namespace sources::coinbase {

inline constexpr const char* k_source = "coinbase";

// GET /products/{id}/ticker (Coinbase Exchange) → PRICE (none when 0, no trade) and VOLUME_24H
// at the ticker's `time`.
void parse_ticker(std::string& body, const std::string& product, store::Batch& out);

// GET /products → the ids of every product ("BTC-USD").
std::vector<std::string> parse_products(std::string& body);

// Coinbase Exchange tickers, one request per product. A product Coinbase does not know (404) is
// reported with the closest ids of its product list, fetched only then.
class Coinbase : public exchanges::TickerSource {
public:
    Coinbase(const Selection& selection, Mode mode);
    bool plan_pull(PullContext& ctx, int phase) override;

private:
    MissingNames m_missing; // products answered 404
};

} // namespace sources::coinbase
