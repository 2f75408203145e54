#include <tm/core/error.hpp>
#include <tm/core/log.hpp>
#include <tm/core/strings.hpp>
#include <tm/sources/hyperliquid/hyperliquid.hpp>
#include <tm/sources/hyperliquid/parse.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <iterator>

namespace sources::hyperliquid {
namespace {

using namespace std::chrono_literals;

const Host k_host{
    "TM_HYPERLIQUID_URL", "https://api.hyperliquid.xyz", "perp funding, open interest, prices"};
// Every info request this source makes weighs 20 (research §B.3).
constexpr double k_request_weight = 20;
constexpr size_t k_page_rows = 500;
// What --dex all is budgeted at before perpDexs says (eight builder dexes in 2026).
constexpr double k_assumed_dexes = 10;
const char* const k_dex_list = "POST /info perpDexs";

// "xyz" of "xyz:XYZ100"; "" for a coin of the main dex.
std::string dex_of(const std::string& coin) {
    const auto colon = coin.find(':');
    return colon == std::string::npos ? std::string() : coin.substr(0, colon);
}

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
        throw core::UsageError("hyperliquid takes no --config; choose coins with --assets BTC,ETH "
                               "and builder dexes with --dex (or TM_HYPERLIQUID_DEXES)");
    }
    // Builder dexes are opt-in: --dex, else the deployment's TM_HYPERLIQUID_DEXES.
    std::vector<std::string> named = selection.dexes;
    if (named.empty()) {
        if (const char* env = std::getenv("TM_HYPERLIQUID_DEXES"); env != nullptr) {
            named = core::strings::split_list(env);
        }
    }
    for (const auto& dex : named) {
        if (dex == "all") {
            m_all_dexes = true;
        } else {
            m_named_dexes.insert(dex);
        }
    }
    m_dexes = m_named_dexes;
    for (const auto& coin : m_assets) {
        if (auto dex = dex_of(coin); !dex.empty()) {
            m_dexes.insert(dex);
        }
    }
    m_info.budget_per_minute = 1200;
    // metaAndAssetCtxs and predictedFundings, and per builder dex its metaAndAssetCtxs (perpDexs,
    // once per run, comes on top of the first pull).
    const double dexes = m_all_dexes ? k_assumed_dexes : static_cast<double>(m_dexes.size());
    m_info.pull_cost = (2 + dexes) * k_request_weight;
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

void Hyperliquid::fetch_dex_list(RunContext& ctx) {
    ctx.lookup(info(R"({"type":"perpDexs"})", k_dex_list),
               [this](std::string& body) { m_dex_list = parse_perp_dexs(body); });
}

std::vector<std::string> Hyperliquid::checked_dexes(RunContext& ctx) {
    if (!m_dex_list) {
        return {}; // perpDexs failed, and says so
    }
    if (m_all_dexes) {
        return *m_dex_list;
    }
    std::vector<std::string> listed, unknown;
    for (const auto& dex : m_dexes) {
        const bool known =
            std::find(m_dex_list->begin(), m_dex_list->end(), dex) != m_dex_list->end();
        if (known) {
            listed.push_back(dex);
        } else if (m_named_dexes.contains(dex)) {
            unknown.push_back(dex); // a "dex:COIN" of an unknown dex is reported as a coin
        }
    }
    // The main dex is pulled anyway: an unknown builder dex never means "nothing named exists".
    ctx.report_unknown(unknown, 0, "Hyperliquid perp dex", *m_dex_list, k_dex_list);
    return listed;
}

void Hyperliquid::fetch_contexts(RunContext& ctx, const std::string& dex, PullContext* pull) {
    const std::string body = dex.empty()
                                 ? std::string(R"({"type":"metaAndAssetCtxs"})")
                                 : fmt::format(R"({{"type":"metaAndAssetCtxs","dex":"{}"}})",
                                               core::strings::json_escape(dex));
    const std::string label = dex.empty() ? std::string("POST /info metaAndAssetCtxs")
                                          : fmt::format("POST /info metaAndAssetCtxs {}", dex);
    const auto remember = [this, dex](const std::vector<store::Asset>& perps) {
        m_arrived.insert(dex);
        m_universe.insert(m_universe.end(), perps.begin(), perps.end());
    };
    if (pull != nullptr) {
        const core::Time ts = pull->snapshot_time();
        pull->fetch(
            info(body, label),
            "",
            [ts, dex, remember](std::string& b, store::Batch& o, std::vector<store::Asset>& a) {
                parse_asset_contexts(b, ts, o, a, dex);
                remember(a);
            });
        return;
    }
    ctx.lookup(info(body, label), [&ctx, dex, remember](std::string& b) {
        store::Batch ignored;
        std::vector<store::Asset> perps;
        parse_asset_contexts(b, ctx.now(), ignored, perps, dex);
        remember(perps);
    });
}

std::vector<std::string> Hyperliquid::check_assets(RunContext& ctx) {
    std::set<std::string> listed;
    std::vector<std::string> known;
    for (const auto& perp : m_universe) {
        listed.insert(perp.asset);
        known.push_back(perp.asset);
    }
    std::vector<std::string> unknown;
    for (const auto& coin : m_assets) {
        const std::string dex = dex_of(coin);
        const bool dex_listed =
            dex.empty() || m_all_dexes
            || (m_dex_list
                && std::find(m_dex_list->begin(), m_dex_list->end(), dex) != m_dex_list->end());
        // A coin is judged only by a universe that arrived (a failed request says so itself).
        if (m_dex_list && !dex_listed) {
            unknown.push_back(coin);
        } else if (m_arrived.contains(dex) && !listed.contains(coin)) {
            unknown.push_back(coin);
        }
    }
    ctx.report_unknown(
        unknown, m_assets.size(), "Hyperliquid coin", known, "POST /info metaAndAssetCtxs");
    return unknown;
}

bool Hyperliquid::plan_pull(PullContext& ctx, int phase) {
    const bool contexts = wants(m_metrics, false);
    if (phase == 0) {
        m_arrived.clear();
        m_universe.clear();
        if (contexts) {
            fetch_contexts(ctx, "", &ctx);
        }
        if (wants(m_metrics, true)) {
            const core::Time ts = ctx.snapshot_time();
            ctx.fetch(info(R"({"type":"predictedFundings"})", "POST /info predictedFundings"),
                      "",
                      [ts](std::string& b, store::Batch& o, std::vector<store::Asset>&) {
                          parse_predicted_fundings(b, ts, o);
                      });
        }
        if (wants_dexes() && !m_dex_list) {
            fetch_dex_list(ctx);
        }
        return wants_dexes() || !m_assets.empty();
    }
    if (phase == 1 && wants_dexes()) {
        for (const auto& dex : checked_dexes(ctx)) {
            if (contexts) {
                fetch_contexts(ctx, dex, &ctx);
            }
        }
        return !m_assets.empty();
    }
    check_assets(ctx);
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
                    core::strings::json_escape(coin),
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
    if (phase == 0) {
        if (!m_metrics.empty() && !m_metrics.contains("FUNDING_RATE")) {
            core::log::info(
                "hyperliquid keeps history of FUNDING_RATE only; nothing to backfill for {}",
                fmt::join(m_metrics, ", "));
            return false;
        }
        // The listed perps: every coin to backfill without --assets, the check of those named.
        m_arrived.clear();
        m_universe.clear();
        fetch_contexts(ctx, "", nullptr);
        if (wants_dexes() && !m_dex_list) {
            fetch_dex_list(ctx);
        }
        return true;
    }
    if (phase == 1 && wants_dexes()) {
        for (const auto& dex : checked_dexes(ctx)) {
            fetch_contexts(ctx, dex, nullptr);
        }
        return true;
    }
    const auto unknown = check_assets(ctx);
    std::vector<std::string> coins;
    if (m_assets.empty()) {
        for (const auto& perp : m_universe) {
            if (perp.extra_json.find("\"delisted\"") == std::string::npos) {
                coins.push_back(perp.asset);
            }
        }
    } else {
        std::set_difference(m_assets.begin(),
                            m_assets.end(),
                            unknown.begin(),
                            unknown.end(),
                            std::back_inserter(coins));
    }
    // A year unless --since; funding history starts in 2023.
    const core::Time from =
        ctx.from() == core::Time::min() ? core::floor_to(ctx.now(), 24h) - 365 * 24h : ctx.from();
    for (const auto& coin : coins) {
        page(ctx, coin, std::max(from, ctx.done_through({coin, "FUNDING_RATE"}).value_or(from)));
    }
    return false;
}

} // namespace sources::hyperliquid
