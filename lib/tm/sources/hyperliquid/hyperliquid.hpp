#pragma once

#include <tm/sources/source.hpp>

#include <set>
#include <string>

namespace sources::hyperliquid {

// Hyperliquid's info endpoint (research/market-apis.md §B): POST {TM_HYPERLIQUID_URL}/info.
// Live: one metaAndAssetCtxs (+ predictedFundings) request, stamped with the pull hour as seed
// 002 does. Backfill: fundingHistory per coin in pages of 500, at the API's timestamps.
// Weight-limited: 1,200 per minute, 20 per request plus 1 per 20 rows returned.
class Hyperliquid : public Source {
public:
    Hyperliquid(const Selection& selection, Mode mode);
    const SourceInfo& info() const override { return m_info; }
    void configure(http::Client& http) const override;
    bool plan_pull(PullContext& ctx, int phase) override;
    store::Batch select(const store::Batch& points,
                        const std::vector<store::Asset>& assets) override;
    bool plan_backfill(BackfillContext& ctx, int phase) override;

private:
    http::Request info(const std::string& body, std::string label) const;
    // Fetches the funding history of `coin` from `start` page by page until ctx.to().
    void page(BackfillContext& ctx, std::string coin, core::Time start);

    SourceInfo m_info;
    std::string m_base;
    std::set<std::string> m_assets;   // --assets (coin names as Hyperliquid writes them)
    std::set<std::string> m_metrics;  // --metrics
    std::vector<std::string> m_coins; // listed perps, for a backfill without --assets
};

} // namespace sources::hyperliquid
