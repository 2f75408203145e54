#pragma once

#include <tm/sources/source.hpp>

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
    // Backfills `coin` window by window from `start`.
    void window(BackfillContext& ctx, std::string coin, core::Time start);

    SourceInfo m_info;
    std::string m_pro_key;
    std::string m_demo_key;
    std::string m_base;
    std::vector<std::string> m_coins;
    std::set<std::string> m_metrics;
};

} // namespace sources::coingecko
