#pragma once

#include <tm/core/time.hpp>
#include <tm/http/response.hpp>
#include <tm/sources/exchanges/ticker_source.hpp>
#include <tm/store/batch.hpp>

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sources::kraken {

inline constexpr const char* k_source = "kraken";

// Kraken's names for one pair, from GET /0/public/AssetPairs: its key there, which is also its
// key in a Ticker answer ("XXBTZUSD", the legacy X/Z-prefixed form; newer pairs "XBTUSDT"), its
// altname ("XBTUSD") and its wsname ("XBT/USD"). A pair may be asked for by any of them.
struct PairNames {
    std::string key;
    std::string altname;
    std::string wsname;
};

// GET /0/public/AssetPairs → every pair's names, in the answer's order. An error in the body is a
// core::DataError naming it; a wrong shape a json::ShapeError.
std::vector<PairNames> parse_asset_pairs(std::string& body);

// The pair `name` names (its key, altname or wsname, as Kraken writes them), or nullptr.
const PairNames* find_pair(const std::vector<PairNames>& pairs, std::string_view name);

// Kraken answers errors with HTTP 200 and {"error":["EQuery:Unknown asset pair"],"result":{}}.
// nullopt when the body holds no error (warnings, W…, are not errors); otherwise "Kraken says …",
// to be retried like a 429 when it is a throttle or a passing outage (EAPI:Rate limit exceeded,
// EGeneral:Too many requests, EService:Unavailable, EService:Busy) and final otherwise.
std::optional<http::BodyError> body_error(const http::Response& response);

// GET /0/public/Ticker?pair=A,B → for each result key that names an asked pair (`asked`: every
// name of each asked pair → that pair as the user wrote it), PRICE (c[0], the last trade; none
// when 0, an idle pair's "no trade in 24 h") and VOLUME_24H (v[1]) at `ts`, never by position.
// Result keys that name no asked pair go to `ignored`; the asked pairs answered to `answered`.
void parse_ticker(std::string& body,
                  const std::map<std::string, std::string, std::less<>>& asked,
                  core::Time ts,
                  store::Batch& out,
                  std::vector<std::string>& answered,
                  std::vector<std::string>& ignored);

// Kraken spot tickers: the pairs are checked against AssetPairs (fetched once per run), then
// asked for in one Ticker request per 50.
class Kraken : public exchanges::TickerSource {
public:
    Kraken(const Selection& selection, Mode mode);
    bool plan_pull(PullContext& ctx, int phase) override;

private:
    void fetch_tickers(PullContext& ctx, const std::vector<std::string>& pairs);
    // AssetPairs of this run (kept across the samples of --every), once it has arrived.
    std::optional<std::vector<PairNames>> m_catalogue;
};

} // namespace sources::kraken
