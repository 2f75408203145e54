#pragma once

#include <tm/sources/source.hpp>

#include <set>
#include <string>
#include <vector>

namespace sources::exchanges {

// What the exchange ticker sources share (seed 003's collector, done for several exchanges):
// pairs from --assets or the defaults, --metrics narrowing what is stored, no config file, and
// no history unless the exchange has one in tm (Binance klines).
class TickerSource : public Source {
public:
    // Throws core::UsageError for a backfill before anything runs unless `has_history`.
    TickerSource(SourceInfo info,
                 const Selection& selection,
                 Mode mode,
                 std::vector<std::string> default_pairs,
                 bool has_history = false);
    const SourceInfo& info() const override { return m_info; }
    void configure(http::Client& http) const override;
    store::Batch select(const store::Batch& points,
                        const std::vector<store::Asset>& assets) override;
    bool plan_backfill(BackfillContext& ctx, int phase) override;

protected:
    const std::vector<std::string>& pairs() const { return m_pairs; }
    const std::string& base() const { return m_base; }
    // An assets row per pair of `pairs` (kind pair).
    void add_assets(RunContext& ctx, const std::vector<std::string>& pairs) const;

    SourceInfo m_info;

private:
    std::string m_base;
    std::vector<std::string> m_pairs;
    std::set<std::string> m_metrics;
};

} // namespace sources::exchanges
