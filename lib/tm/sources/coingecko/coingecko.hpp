#pragma once

#include <tm/sources/missing_names.hpp>
#include <tm/sources/source.hpp>

#include <optional>
#include <set>
#include <string>
#include <vector>

namespace sources::coingecko {

// CoinGecko API v3 (research/market-apis.md §C). Keyless, with COINGECKO_DEMO_API_KEY (header
// x-cg-demo-api-key, api host) or with COINGECKO_PRO_API_KEY (header x-cg-pro-api-key, pro host).
class CoinGecko : public Source {
public:
    CoinGecko(const Selection& selection, Mode mode);
    const SourceInfo& info() const override { return m_info; }
    void configure(http::Client& http) const override;
    bool plan_pull(PullContext& ctx, int phase) override;
    store::Batch select(const store::Batch& points,
                        const std::vector<store::Asset>& assets) override;
    bool plan_backfill(BackfillContext& ctx, int phase) override;

private:
    http::Request get(const std::string& path, std::string label) const;
    // Backfills `coin` window by window from `start`; a window CoinGecko refuses as too old
    // (error 10012) is asked again once (`retried`), a day later.
    void window(BackfillContext& ctx, std::string coin, core::Time start, bool retried = false);
    // After the requests of phase 0: fetches the id list (only when an id went missing), then
    // reports the missing ids with the closest ids it has and adds the others' assets rows.
    // False when done.
    bool report_missing(RunContext& ctx);

    SourceInfo m_info;
    std::string m_pro_key;
    std::string m_demo_key;
    std::string m_base;
    std::vector<std::string> m_coins;
    std::set<std::string> m_metrics;
    MissingNames m_missing; // ids CoinGecko did not answer for
};

} // namespace sources::coingecko
