#include <tm/core/error.hpp>
#include <tm/core/log.hpp>
#include <tm/core/secrets.hpp>
#include <tm/http/url.hpp>
#include <tm/sources/coingecko/coingecko.hpp>
#include <tm/sources/coingecko/parse.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <set>

namespace sources::coingecko {
namespace {

using namespace std::chrono_literals;

const Host k_api{"TM_COINGECKO_URL", "https://api.coingecko.com/api/v3", "keyless or demo key"};
const Host k_pro{"TM_COINGECKO_URL", "https://pro-api.coingecko.com/api/v3", "pro key"};
// Above 90 days a range comes back daily, at or below hourly: every window stays above it so a
// series keeps one granularity; 365 days is also the keyless and demo history limit.
constexpr auto k_window = 365 * 24h;
constexpr auto k_daily_minimum = 91 * 24h;
// Keyless and demo requests may reach 365 days back from now, which CoinGecko counts from the
// moment of the request: the first day asked for is the first whole day inside that limit.
constexpr auto k_public_days = 364 * 24h;
const char* const k_coin_list = "GET /coins/list";

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
      m_metrics(selection.metrics.begin(), selection.metrics.end()),
      m_missing("CoinGecko coin id", get("/coins/list", k_coin_list), parse_coin_list) {
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

bool CoinGecko::plan_pull(PullContext& ctx, int phase) {
    if (phase == 0) {
        m_missing.clear();
        const core::Time fallback = ctx.snapshot_time();
        for (size_t i = 0; i < m_coins.size(); i += 250) {
            std::string ids;
            const std::vector<std::string> batch(
                m_coins.begin() + static_cast<long>(i),
                m_coins.begin() + static_cast<long>(std::min(m_coins.size(), i + 250)));
            for (const auto& coin : batch) {
                ids += ids.empty() ? "" : ",";
                ids += http::percent_encode(coin);
            }
            ctx.fetch(get(fmt::format("/simple/"
                                      "price?ids={}&vs_currencies=usd&include_market_cap=true&"
                                      "include_24hr_vol=true&include_last_updated_at=true&"
                                      "precision=full",
                                      ids),
                          "GET /simple/price"),
                      "",
                      [this, fallback, batch](
                          std::string& b, store::Batch& o, std::vector<store::Asset>&) {
                          std::vector<std::string> answered;
                          parse_simple_price(b, fallback, o, answered);
                          // The answer leaves out the ids CoinGecko does not know.
                          const std::set<std::string> got(answered.begin(), answered.end());
                          for (const auto& coin : batch) {
                              if (!got.contains(coin)) {
                                  m_missing.add(coin);
                              }
                          }
                      });
        }
        return true;
    }
    return report_missing(ctx);
}

bool CoinGecko::report_missing(RunContext& ctx) {
    if (m_missing.report(ctx, m_coins.size())) {
        return true;
    }
    for (const auto& coin : m_coins) {
        if (!m_missing.contains(coin)) {
            ctx.assets().push_back({k_source, store::AssetKind::coin, coin, "", "", "", coin, ""});
        }
    }
    return false;
}

store::Batch CoinGecko::select(const store::Batch& points, const std::vector<store::Asset>&) {
    return points.filtered([&](const store::SeriesKey& k) {
        return m_metrics.empty() || m_metrics.contains(k.metric);
    });
}

void CoinGecko::window(BackfillContext& ctx, std::string coin, core::Time start, bool retried) {
    if (start >= ctx.to()) {
        return;
    }
    const core::Time end = std::min(start + k_window, ctx.to());
    // A short last window reaches back to 91 days; the job keeps only what was asked for.
    const core::Time ask = std::min(start, end - k_daily_minimum);
    Chunk chunk{{{coin, "PRICE"}, {coin, "MARKET_CAP"}, {coin, "VOLUME_24H"}}, end};
    const std::string label = fmt::format("GET /coins/{}/market_chart/range", coin);
    ctx.fetch_chunk(
        get(fmt::format("/coins/{}/market_chart/range?vs_currency=usd&from={}&to={}&precision=full",
                        http::percent_encode(coin),
                        core::to_unix_seconds(ask),
                        core::to_unix_seconds(end)),
            label),
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
        [this, &ctx, coin, end](core::Time) { window(ctx, coin, end); },
        [this, &ctx, coin, start, ask, retried, label](const http::Response& r) {
            if (r.status == 404) {
                m_missing.add(coin); // {"error":"coin not found"}
                return true;
            }
            // Outside the public 365 days after all (CoinGecko's clock, a slow queue): once,
            // a day later.
            if (!retried && error_code(r.body) == k_outside_public_range) {
                ctx.record_notice(coin,
                                  label,
                                  fmt::format("CoinGecko refused history from {} as older than "
                                              "its public 365 days (error 10012); asking again "
                                              "from {}",
                                              core::format_date(ask),
                                              core::format_date(start + 24h)));
                window(ctx, coin, start + 24h, true);
                return true;
            }
            return false;
        });
}

bool CoinGecko::plan_backfill(BackfillContext& ctx, int phase) {
    if (phase > 0) {
        return report_missing(ctx);
    }
    m_missing.clear();
    const core::Time today = core::floor_to(ctx.now(), 24h);
    core::Time from = ctx.from() == core::Time::min() ? today - k_window : ctx.from();
    if (m_pro_key.empty() && from < today - k_public_days) {
        core::log::info("keyless and demo CoinGecko keep 365 days of history; starting at {} (set "
                        "COINGECKO_PRO_API_KEY for more)",
                        core::format_date(today - k_public_days));
        from = today - k_public_days;
    }
    for (const auto& coin : m_coins) {
        const core::Time done = std::min({ctx.done_through({coin, "PRICE"}).value_or(from),
                                          ctx.done_through({coin, "MARKET_CAP"}).value_or(from),
                                          ctx.done_through({coin, "VOLUME_24H"}).value_or(from)});
        window(ctx, coin, std::max(from, done));
    }
    return true;
}

} // namespace sources::coingecko
