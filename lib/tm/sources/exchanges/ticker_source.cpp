#include <tm/core/error.hpp>
#include <tm/sources/exchanges/ticker_source.hpp>

#include <fmt/format.h>

namespace sources::exchanges {

TickerSource::TickerSource(SourceInfo info,
                           const Selection& selection,
                           Mode mode,
                           std::vector<std::string> default_pairs,
                           bool has_history)
    : m_info(std::move(info)),
      m_base(base_url(m_info.hosts.front().env_var, m_info.hosts.front().default_url)),
      m_pairs(selection.assets.empty() ? std::move(default_pairs) : selection.assets),
      m_metrics(selection.metrics.begin(), selection.metrics.end()) {
    if (selection.config_file) {
        throw core::UsageError(
            fmt::format("{} takes no --config; choose pairs with --assets", m_info.name));
    }
    if (mode == Mode::backfill && !has_history) {
        throw core::UsageError(
            fmt::format("{} has no backfill yet: tm keeps its live tickers only", m_info.name));
    }
}

void TickerSource::configure(http::Client& http) const {
    http.set_limit(m_base,
                   {m_info.budget_per_minute, std::max(1.0, m_info.budget_per_minute / 10)});
}

store::Batch TickerSource::select(const store::Batch& points, const std::vector<store::Asset>&) {
    return points.filtered([&](const store::SeriesKey& k) {
        return m_metrics.empty() || m_metrics.contains(k.metric);
    });
}

bool TickerSource::plan_backfill(BackfillContext&, int) {
    return false; // refused at construction
}

void TickerSource::add_assets(RunContext& ctx, const std::vector<std::string>& pairs) const {
    for (const auto& p : pairs) {
        ctx.assets().push_back({m_info.name, store::AssetKind::pair, p, p, "", "", "", ""});
    }
}

} // namespace sources::exchanges
