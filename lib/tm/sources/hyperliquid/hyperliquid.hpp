#pragma once

#include <tm/sources/source.hpp>

#include <optional>
#include <set>
#include <string>
#include <vector>

namespace sources::hyperliquid {

// Hyperliquid's info endpoint (research/market-apis.md §B): POST {TM_HYPERLIQUID_URL}/info.
// Live: one metaAndAssetCtxs (+ predictedFundings) request, stamped with the pull hour as seed
// 002 does; per builder-deployed dex asked for (--dex, TM_HYPERLIQUID_DEXES, or a "dex:COIN" in
// --assets), its own metaAndAssetCtxs after one perpDexs. Backfill: fundingHistory per coin in
// pages of 500, at the API's timestamps. Weight-limited: 1,200 per minute, 20 per request plus
// 1 per 20 rows returned. Named coins and dexes are checked against what Hyperliquid lists.
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
    // The builder dexes the run asks for: --dex (or TM_HYPERLIQUID_DEXES) and the prefixes of
    // "dex:COIN" assets.
    bool wants_dexes() const { return m_all_dexes || !m_dexes.empty(); }
    void fetch_dex_list(RunContext& ctx);
    // The listed dexes the run asks for; the unknown ones are reported.
    std::vector<std::string> checked_dexes(RunContext& ctx);
    // Queues metaAndAssetCtxs of `dex` ("" the main dex); a pull keeps its points, a backfill
    // only its universe. Either way the universe is remembered for the name check.
    void fetch_contexts(RunContext& ctx, const std::string& dex, PullContext* pull);
    // Reports the --assets coins no universe that arrived has, and returns them (sorted).
    std::vector<std::string> check_assets(RunContext& ctx);

    SourceInfo m_info;
    std::string m_base;
    std::set<std::string> m_assets;      // --assets (coin names as Hyperliquid writes them)
    std::set<std::string> m_metrics;     // --metrics
    std::set<std::string> m_named_dexes; // --dex (or TM_HYPERLIQUID_DEXES)
    std::set<std::string> m_dexes;       // those and the dexes of "dex:COIN" assets
    bool m_all_dexes = false;            // --dex all
    std::optional<std::vector<std::string>> m_dex_list; // perpDexs, kept across --every samples
    std::set<std::string> m_arrived;                    // dexes whose universe arrived ("" main)
    std::vector<store::Asset> m_universe;               // their perps
};

} // namespace sources::hyperliquid
