#include <tm/core/log.hpp>
#include <tm/sources/hyperliquid/hyperliquid.hpp>
#include <tm/sources/hyperliquid/parse.hpp>

#include <fmt/format.h>

#include <chrono>

namespace sources::hyperliquid {
namespace {

using namespace std::chrono_literals;

const Host k_host{
    "TM_HYPERLIQUID_URL", "https://api.hyperliquid.xyz", "perp funding, open interest, prices"};
// Every info request this source makes weighs 20 (research §B.3).
constexpr double k_request_weight = 20;
constexpr size_t k_page_rows = 500;

// True when --metrics is empty or names a metric of one of the two requests: predictedFundings
// (`predicted`) or metaAndAssetCtxs (everything else).
bool wants(const std::set<std::string>& metrics, bool predicted) {
    return metrics.empty() || std::any_of(metrics.begin(), metrics.end(), [&](const auto& m) {
               return m.starts_with("PREDICTED_FUNDING_RATE") == predicted;
           });
}

} // namespace

Hyperliquid::Hyperliquid(const Selection& selection, Mode)
    : m_info{k_source,
             "perpetual funding rates, open interest, mark and oracle prices",
             {k_host},
             {},
             std::chrono::hours{1}},
      m_base(base_url(k_host.env_var, k_host.default_url)),
      m_assets(selection.assets.begin(), selection.assets.end()),
      m_metrics(selection.metrics.begin(), selection.metrics.end()) {
    if (selection.config_file) {
        throw core::UsageError("hyperliquid takes no --config; choose coins with --assets BTC,ETH");
    }
    m_info.budget_per_minute = 1200;
    m_info.pull_cost = 2 * k_request_weight; // metaAndAssetCtxs and predictedFundings
}

void Hyperliquid::configure(http::Client& http) const {
    // 1,200 weight a minute per IP; a burst of a few requests, then the steady rate.
    http.set_limit(m_base, {1200, 200});
}

http::Request Hyperliquid::info(const std::string& body, std::string label) const {
    http::Request r;
    r.method = "POST";
    r.url = m_base + "/info";
    r.headers = {{"Content-Type", "application/json"}};
    r.body = body;
    r.weight = k_request_weight;
    r.label = std::move(label);
    // An unknown coin is HTTP 500 with the body "null": an answer, not an outage.
    r.final_answer = [](const http::Response& response) {
        return response.status == 500 && response.body == "null";
    };
    return r;
}

bool Hyperliquid::plan_pull(PullContext& ctx, int) {
    const core::Time ts = ctx.snapshot_time();
    if (wants(m_metrics, false)) {
        ctx.fetch(info(R"({"type":"metaAndAssetCtxs"})", "POST /info metaAndAssetCtxs"),
                  "",
                  [ts](std::string& b, store::Batch& o, std::vector<store::Asset>& a) {
                      parse_asset_contexts(b, ts, o, a);
                  });
    }
    if (wants(m_metrics, true)) {
        ctx.fetch(info(R"({"type":"predictedFundings"})", "POST /info predictedFundings"),
                  "",
                  [ts](std::string& b, store::Batch& o, std::vector<store::Asset>&) {
                      parse_predicted_fundings(b, ts, o);
                  });
    }
    return false;
}

store::Batch Hyperliquid::select(const store::Batch& points, const std::vector<store::Asset>&) {
    return points.filtered([&](const store::SeriesKey& k) {
        return (m_assets.empty() || m_assets.contains(k.asset))
               && (m_metrics.empty() || m_metrics.contains(k.metric));
    });
}

void Hyperliquid::page(BackfillContext& ctx, std::string coin, core::Time start) {
    if (start >= ctx.to()) {
        return;
    }
    const int64_t start_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(start.time_since_epoch()).count();
    const int64_t end_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(ctx.to().time_since_epoch()).count()
        - 1;
    const std::string body =
        fmt::format(R"({{"type":"fundingHistory","coin":"{}","startTime":{},"endTime":{}}})",
                    coin,
                    start_ms,
                    end_ms);
    auto request = info(body, fmt::format("POST /info fundingHistory {}", coin));
    const std::string url = request.url;
    // A page's end is known only once it arrives: a full page lowers the chunk's `through` to
    // just after its last row, and the next page starts there.
    ctx.fetch_chunk(
        std::move(request),
        Chunk{{{coin, "FUNDING_RATE"}}, ctx.to()},
        [&ctx, url](std::string& b, store::Batch& o, core::Time& through) {
            int64_t last_ms = 0;
            const size_t rows = parse_funding_history(b, o, last_ms);
            // +1 weight per 20 rows returned, charged once the rows are known.
            ctx.http().charge(url, static_cast<double>(rows / 20));
            if (rows >= k_page_rows) {
                through = core::from_unix_millis(last_ms + 1);
            }
        },
        [this, &ctx, coin](core::Time through) {
            if (through < ctx.to()) {
                page(ctx, coin, through);
            }
        },
        [&ctx, coin, label = fmt::format("POST /info fundingHistory {}", coin)](
            const http::Response& response) {
            if (response.status != 500 || response.body != "null") {
                return false;
            }
            ctx.record_error(
                coin, label, "unknown coin (Hyperliquid answers HTTP 500 with the body null)");
            return true;
        });
}

bool Hyperliquid::plan_backfill(BackfillContext& ctx, int phase) {
    if (phase == 0 && m_assets.empty()) {
        // Every listed perp: the universe of metaAndAssetCtxs.
        ctx.request(info(R"({"type":"metaAndAssetCtxs"})", "POST /info metaAndAssetCtxs"),
                    "",
                    [this, &ctx](std::string& body) {
                        store::Batch ignored;
                        std::vector<store::Asset> perps;
                        parse_asset_contexts(body, ctx.now(), ignored, perps);
                        for (const auto& p : perps) {
                            if (p.extra_json.find("\"delisted\"") == std::string::npos) {
                                m_coins.push_back(p.asset);
                            }
                        }
                    });
        return true;
    }
    if (!m_metrics.empty() && !m_metrics.contains("FUNDING_RATE")) {
        core::log::info(
            "hyperliquid keeps history of FUNDING_RATE only; nothing to backfill for {}",
            fmt::join(m_metrics, ", "));
        return false;
    }
    // A year unless --since; funding history starts in 2023.
    const core::Time from =
        ctx.from() == core::Time::min() ? core::floor_to(ctx.now(), 24h) - 365 * 24h : ctx.from();
    const std::vector<std::string> coins =
        m_assets.empty() ? m_coins : std::vector<std::string>(m_assets.begin(), m_assets.end());
    for (const auto& coin : coins) {
        page(ctx, coin, std::max(from, ctx.done_through({coin, "FUNDING_RATE"}).value_or(from)));
    }
    return false;
}

} // namespace sources::hyperliquid
