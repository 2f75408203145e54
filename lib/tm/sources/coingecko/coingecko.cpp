#include <tm/core/log.hpp>
#include <tm/core/secrets.hpp>
#include <tm/http/url.hpp>
#include <tm/sources/coingecko/coingecko.hpp>
#include <tm/sources/coingecko/parse.hpp>

#include <fmt/format.h>

#include <chrono>

namespace sources::coingecko {
namespace {

using namespace std::chrono_literals;

const Host k_api{"TM_COINGECKO_URL", "https://api.coingecko.com/api/v3", "keyless or demo key"};
const Host k_pro{"TM_COINGECKO_URL", "https://pro-api.coingecko.com/api/v3", "pro key"};
// Above 90 days a range comes back daily, at or below hourly: every window stays above it so a
// series keeps one granularity; 365 days is also the keyless and demo history limit.
constexpr auto k_window = 365 * 24h;
constexpr auto k_daily_minimum = 91 * 24h;

} // namespace

CoinGecko::CoinGecko(const Selection& selection, Mode)
    : m_info{k_source,
             "coin prices, market caps and volumes (seed 001)",
             {k_api, k_pro},
             {"COINGECKO_DEMO_API_KEY", "COINGECKO_PRO_API_KEY"},
             std::chrono::minutes{1}},
      m_pro_key(core::secrets::from_env("COINGECKO_PRO_API_KEY")),
      m_demo_key(core::secrets::from_env("COINGECKO_DEMO_API_KEY")),
      m_base(base_url(k_api.env_var, m_pro_key.empty() ? k_api.default_url : k_pro.default_url)),
      m_coins(selection.assets.empty() ? std::vector<std::string>{"bitcoin", "ethereum", "zcash"}
                                       : selection.assets),
      m_metrics(selection.metrics.begin(), selection.metrics.end()) {
    if (selection.config_file) {
        throw core::UsageError(
            "coingecko takes no --config; choose coin ids with --assets bitcoin,ethereum");
    }
    // 30 calls a minute is the demo budget and more than keyless gets; pro plans start at 250.
    m_info.budget_per_minute = m_pro_key.empty() ? 30 : 250;
    m_info.pull_cost = static_cast<double>((m_coins.size() + 249) / 250);
}

void CoinGecko::configure(http::Client& http) const {
    http.set_limit(m_base, {m_info.budget_per_minute, m_info.budget_per_minute / 6});
}

http::Request CoinGecko::get(const std::string& path, std::string label) const {
    auto r = http::get(m_base + path, std::move(label));
    if (!m_pro_key.empty()) {
        r.headers.emplace_back("x-cg-pro-api-key", m_pro_key);
    } else if (!m_demo_key.empty()) {
        r.headers.emplace_back("x-cg-demo-api-key", m_demo_key);
    }
    return r;
}

bool CoinGecko::plan_pull(PullContext& ctx, int) {
    const core::Time fallback = ctx.snapshot_time();
    for (size_t i = 0; i < m_coins.size(); i += 250) {
        std::string ids;
        for (size_t j = i; j < std::min(m_coins.size(), i + 250); ++j) {
            ids += ids.empty() ? "" : ",";
            ids += http::percent_encode(m_coins[j]);
        }
        ctx.fetch(
            get(fmt::format(
                    "/simple/"
                    "price?ids={}&vs_currencies=usd&include_market_cap=true&include_24hr_vol=true"
                    "&include_last_updated_at=true&precision=full",
                    ids),
                "GET /simple/price"),
            "",
            [fallback](std::string& b, store::Batch& o, std::vector<store::Asset>&) {
                parse_simple_price(b, fallback, o);
            });
    }
    for (const auto& coin : m_coins) {
        ctx.assets().push_back({k_source, store::AssetKind::coin, coin, "", "", "", coin, ""});
    }
    return false;
}

store::Batch CoinGecko::select(const store::Batch& points, const std::vector<store::Asset>&) {
    return points.filtered([&](const store::SeriesKey& k) {
        return m_metrics.empty() || m_metrics.contains(k.metric);
    });
}

void CoinGecko::window(BackfillContext& ctx, std::string coin, core::Time start) {
    if (start >= ctx.to()) {
        return;
    }
    const core::Time end = std::min(start + k_window, ctx.to());
    // A short last window reaches back to 91 days; the job keeps only what was asked for.
    const core::Time ask = std::min(start, end - k_daily_minimum);
    Chunk chunk{{{coin, "PRICE"}, {coin, "MARKET_CAP"}, {coin, "VOLUME_24H"}}, end};
    ctx.fetch_chunk(
        get(fmt::format("/coins/{}/market_chart/range?vs_currency=usd&from={}&to={}&precision=full",
                        http::percent_encode(coin),
                        core::to_unix_seconds(ask),
                        core::to_unix_seconds(end)),
            fmt::format("GET /coins/{}/market_chart/range", coin)),
        std::move(chunk),
        [coin](std::string& b, store::Batch& o, core::Time&) {
            // Daily ranges end with a "current" sample at an arbitrary time; the daily series
            // keeps the 00:00 UTC points only.
            store::Batch chart;
            parse_market_chart(b, coin, chart);
            for (size_t i = 0; i < chart.size(); ++i) {
                if (core::floor_to(chart.times()[i], 24h) == chart.times()[i]) {
                    o.add(o.series(chart.keys()[chart.refs()[i]]),
                          chart.times()[i],
                          chart.values()[i]);
                }
            }
        },
        [this, &ctx, coin, end](core::Time) { window(ctx, coin, end); });
}

bool CoinGecko::plan_backfill(BackfillContext& ctx, int) {
    const core::Time today = core::floor_to(ctx.now(), 24h);
    core::Time from = ctx.from() == core::Time::min() ? today - k_window : ctx.from();
    if (m_pro_key.empty() && from < today - k_window) {
        core::log::info("keyless and demo CoinGecko keep 365 days of history; starting at {} (set "
                        "COINGECKO_PRO_API_KEY for more)",
                        core::format_date(today - k_window));
        from = today - k_window;
    }
    for (const auto& coin : m_coins) {
        const core::Time done = std::min({ctx.done_through({coin, "PRICE"}).value_or(from),
                                          ctx.done_through({coin, "MARKET_CAP"}).value_or(from),
                                          ctx.done_through({coin, "VOLUME_24H"}).value_or(from)});
        window(ctx, coin, std::max(from, done));
    }
    for (const auto& coin : m_coins) {
        ctx.assets().push_back({k_source, store::AssetKind::coin, coin, "", "", "", coin, ""});
    }
    return false;
}

} // namespace sources::coingecko
