#include <tm/core/error.hpp>
#include <tm/core/log.hpp>
#include <tm/http/url.hpp>
#include <tm/sources/defillama/chains.hpp>
#include <tm/sources/defillama/defillama.hpp>
#include <tm/sources/defillama/parse.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>

namespace sources::defillama {
namespace {

using namespace std::chrono_literals;

const std::vector<Host> k_hosts = {
    {"TM_DEFILLAMA_URL", "https://api.llama.fi", "TVL, fees, volumes, open interest (free)"},
    {"TM_DEFILLAMA_STABLECOINS_URL", "https://stablecoins.llama.fi", "stablecoin supply (free)"},
    {"TM_DEFILLAMA_YIELDS_URL", "https://yields.llama.fi", "pool APY and utilization (free)"},
    {"TM_DEFILLAMA_BRIDGES_URL",
     "https://bridges.llama.fi",
     "bridge volumes (pro-only since 2026-01)"},
    {"TM_DEFILLAMA_PRO_URL", "https://pro-api.llama.fi", "every endpoint, with DEFILLAMA_API_KEY"},
};

// Live: the light overview (both exclude flags, research §3.3). History: the chart of one
// protocol (/summary) or one chain (/overview/{type}/{chain}).
std::string overview_path(const Family& f, std::string_view chain = {}) {
    std::string path = fmt::format("/overview/{}", f.dimension_type);
    if (!chain.empty()) {
        path += fmt::format("/{}?excludeTotalDataChart=false&excludeTotalDataChartBreakdown=true",
                            chain);
    } else {
        path += "?excludeTotalDataChart=true&excludeTotalDataChartBreakdown=true";
    }
    if (!f.data_type.empty()) {
        path += fmt::format("&dataType={}", f.data_type);
    }
    return path;
}

std::string summary_path(const Family& f, std::string_view slug) {
    std::string path = fmt::format("/summary/{}/{}", f.dimension_type, slug);
    if (!f.data_type.empty()) {
        path += fmt::format("?dataType={}", f.data_type);
    }
    return path;
}

http::Request get(const std::string& url, std::string label) {
    return http::get(url, std::move(label));
}

} // namespace

Snapshot snapshot(const Family& f, core::Time ts, core::Time day) {
    const auto parsed = [](auto fn) -> Parser { return fn; };
    switch (f.id) {
    case FamilyId::tvl:
        return {"protocols",
                Service::api,
                "/protocols",
                "GET /protocols",
                parsed([ts](std::string& b, store::Batch& o, Assets& a) {
                    parse_protocols(b, ts, o, a);
                })};
    case FamilyId::chain_tvl:
        return {"chains",
                Service::api,
                "/v2/chains",
                "GET /v2/chains",
                parsed([ts](std::string& b, store::Batch& o, Assets& a) {
                    parse_chains(b, ts, o, a);
                })};
    case FamilyId::fees:
    case FamilyId::revenue:
    case FamilyId::holders_revenue:
    case FamilyId::dex_volume:
    case FamilyId::options_premium:
    case FamilyId::options_notional:
    case FamilyId::aggregator_volume:
    case FamilyId::derivatives_volume:
    case FamilyId::open_interest: {
        const std::string_view metric = f.metrics.front();
        const std::string_view twin = f.twin_metrics.front();
        return {std::string(f.name),
                Service::api,
                overview_path(f),
                fmt::format("GET /overview/{}{}",
                            f.dimension_type,
                            f.data_type.empty() ? std::string() : fmt::format(" {}", f.data_type)),
                parsed([=](std::string& b, store::Batch& o, Assets&) {
                    parse_overview(b, metric, twin, day, o);
                })};
    }
    case FamilyId::stablecoins:
        return {"stablecoins",
                Service::stablecoins,
                "/stablecoins",
                "GET /stablecoins",
                parsed([ts](std::string& b, store::Batch& o, Assets& a) {
                    parse_stablecoins(b, ts, o, a);
                })};
    case FamilyId::chain_stablecoins:
        return {"stablecoinchains",
                Service::stablecoins,
                "/stablecoinchains",
                "GET /stablecoinchains",
                parsed([ts](std::string& b, store::Batch& o, Assets&) {
                    parse_stablecoin_chains(b, ts, o);
                })};
    case FamilyId::bridges:
        return {"bridges",
                Service::bridges,
                "/bridges",
                "GET /bridges",
                parsed([ts](std::string& b, store::Batch& o, Assets& a) {
                    parse_bridges(b, ts, o, a);
                })};
    case FamilyId::pools:
        return {
            "pools",
            Service::yields,
            "/pools",
            "GET /pools",
            parsed([ts](std::string& b, store::Batch& o, Assets& a) { parse_pools(b, ts, o, a); })};
    case FamilyId::utilization:
        return {"lendBorrow",
                Service::yields,
                "/lendBorrow",
                "GET /lendBorrow",
                parsed([ts](std::string& b, store::Batch& o, Assets&) {
                    parse_lend_borrow(b, ts, o);
                })};
    case FamilyId::flows:
        break;
    }
    throw core::Error(
        fmt::format("internal error: DefiLlama family '{}' has no snapshot request", f.name));
}

DefiLlama::DefiLlama(const Selection& selection, Mode mode)
    : m_info{k_source,
             "DeFi TVL, fees, revenue, volumes, open interest, stablecoins, bridges, yields, flows",
             k_hosts,
             {"DEFILLAMA_API_KEY"},
             std::chrono::hours{1}},
      m_selection(selection, mode == Mode::backfill ? 50 : 250) {
    // A full free pull is 14 requests, 10 of them to api.llama.fi at 60 a minute.
    m_info.budget_per_minute = m_endpoints.pro() ? 900 : 60;
    m_info.pull_cost = m_endpoints.pro() ? 16 : 10;
}

void DefiLlama::configure(http::Client& http) const {
    // Pro allows 1,000 requests/minute on one host. The free tier publishes no number; one
    // request a second per host with a small burst stays clear of the 429s others reported.
    for (const Service s :
         {Service::api, Service::stablecoins, Service::yields, Service::bridges}) {
        if (m_endpoints.pro()) {
            http.set_limit(m_endpoints.origin(s), {900, 50});
        } else {
            http.set_limit(m_endpoints.origin(s), {60, 10});
        }
    }
}

bool DefiLlama::available(const Family& family) {
    const bool ok = family.id == FamilyId::bridges ? m_endpoints.bridges_available()
                                                   : family.tier == Tier::free || m_endpoints.pro();
    if (!ok && m_skipped.insert(family.name).second) {
        std::string metrics;
        for (const auto m : family.metrics) {
            metrics += metrics.empty() ? "" : ", ";
            metrics += m;
        }
        core::log::info("skipping {} ({}): pro tier only; set DEFILLAMA_API_KEY to pull it",
                        family.name,
                        metrics);
    }
    return ok;
}

bool DefiLlama::plan_pull(PullContext& ctx, int phase) {
    const core::Time ts = ctx.snapshot_time();
    // Daily totals (total24h) describe the last complete UTC day.
    const core::Time yesterday = core::floor_to(ctx.now(), 24h) - 24h;
    if (phase == 1) {
        if (m_rank_for_flows) {
            // Inflows of the top protocols by TVL, ranked from phase 0's /protocols.
            const auto& keys = ctx.points().keys();
            std::vector<std::pair<std::string, double>> tvl;
            for (size_t i = 0; i < ctx.points().size(); ++i) {
                const auto& k = keys[ctx.points().refs()[i]];
                if (k.metric == "TVL") {
                    tvl.emplace_back(k.asset, ctx.points().values()[i]);
                }
            }
            plan_inflows(ctx, m_selection.pick(Kind::protocol, "INFLOW", tvl));
        }
        // Every list has answered: a name none of them has is one DefiLlama does not know
        // (judged only when all arrived; a failed list says so itself).
        if (ctx.failed() == 0) {
            m_selection.learn(ctx.assets());
            check_names(ctx, known_assets(ctx.points(), ctx.assets()), false);
        }
        return false;
    }
    bool rank_for_flows = false;
    for (const auto& f : families()) {
        if (!m_selection.wants_family(f) || !available(f)) {
            continue;
        }
        if (f.id != FamilyId::flows) {
            const auto snap = snapshot(f, ts, yesterday);
            ctx.fetch(get(m_endpoints.url(snap.service, snap.path), snap.label), "", snap.parse);
            continue;
        }
        // Flows need one request per protocol: the named ones now, else the top by TVL in
        // phase 1, which needs /protocols (asked for here unless TVL already is).
        auto named = m_selection.pick(Kind::protocol, "INFLOW", {});
        if (!named.empty()) {
            plan_inflows(ctx, named);
        } else {
            rank_for_flows = true;
            if (!m_selection.wants_family(families().front())) {
                const auto snap = snapshot(families().front(), ts, yesterday);
                ctx.fetch(
                    get(m_endpoints.url(snap.service, snap.path), snap.label), "", snap.parse);
            }
        }
    }
    m_rank_for_flows = rank_for_flows;
    return rank_for_flows || m_selection.named_count() > 0;
}

DefiLlama::Known DefiLlama::known_assets(const store::Batch& points,
                                         const std::vector<store::Asset>& assets) {
    Known known;
    for (const auto& k : points.keys()) {
        Kind kind;
        if (family_of(k.metric, &kind) != nullptr) {
            known.ids.emplace(kind, k.asset);
        }
    }
    for (const auto& a : assets) {
        known.ids.emplace(a.kind, a.asset);
        // Stablecoins and bridges may be named by symbol too: advice in the same terms.
        if ((a.kind == Kind::stablecoin || a.kind == Kind::bridge) && !a.symbol.empty()) {
            known.names.insert(a.symbol);
        }
    }
    for (const auto& [kind, id] : known.ids) {
        known.names.insert(id);
    }
    return known;
}

void DefiLlama::check_names(RunContext& ctx, const Known& known, bool asked_anyway) {
    // A config row is judged only by a list of its kind (bridges need the pro tier). A backfill
    // asks for unlisted protocols and chains anyway (a parent protocol, an old label).
    std::set<Kind> kinds;
    for (const auto& [kind, id] : known.ids) {
        if (!asked_anyway || (kind != Kind::protocol && kind != Kind::chain)) {
            kinds.insert(kind);
        }
    }
    ctx.report_unknown(m_selection.unknown(known.ids, kinds),
                       m_selection.named_count(),
                       "DefiLlama asset",
                       {known.names.begin(), known.names.end()},
                       "DefiLlama's lists");
}

void DefiLlama::plan_inflows(PullContext& ctx, const std::vector<std::string>& slugs) {
    // The net flow of the last complete UTC day (research §3.10), stamped with that day.
    const core::Time end = core::floor_to(ctx.now(), 24h);
    const core::Time start = end - 24h;
    for (const auto& slug : slugs) {
        const std::string path = fmt::format("/inflows/{}/{}?end={}",
                                             http::percent_encode(slug),
                                             core::to_unix_seconds(start),
                                             core::to_unix_seconds(end));
        ctx.fetch(get(m_endpoints.url(Service::api, path), "GET /inflows/" + slug),
                  slug,
                  [slug, start](std::string& b, store::Batch& o, Assets&) {
                      parse_inflows(b, slug, start, o);
                  });
    }
}

store::Batch DefiLlama::select(const store::Batch& points,
                               const std::vector<store::Asset>& assets) {
    m_selection.learn(assets);
    return m_selection.filter(points);
}

void DefiLlama::fetch_list(RunContext& ctx, Snapshot list) {
    if (m_lists.contains(list.name)) {
        return;
    }
    m_lists[list.name];
    ctx.request(get(m_endpoints.url(list.service, list.path), list.label),
                "",
                [this, name = list.name, parse = std::move(list.parse)](std::string& body) {
                    List& parsed = m_lists[name];
                    parse(body, parsed.points, parsed.assets);
                    parsed.arrived = true;
                    m_selection.learn(parsed.assets);
                });
}

std::vector<std::pair<std::string, double>> DefiLlama::candidates(const std::string& list,
                                                                  std::string_view metric) const {
    std::vector<std::pair<std::string, double>> out;
    auto it = m_lists.find(list);
    if (it == m_lists.end()) {
        return out;
    }
    const auto& b = it->second.points;
    for (size_t i = 0; i < b.size(); ++i) {
        const auto& k = b.keys()[b.refs()[i]];
        if (k.metric == metric) {
            out.emplace_back(k.asset, b.values()[i]);
        }
    }
    return out;
}

std::string DefiLlama::chain_label(const std::string& key) const {
    // /v2/chains carries each chain's label; the chart endpoints want labels and match them
    // case-insensitively, so a key is the best guess for a chain no list named.
    if (auto it = m_lists.find("chains"); it != m_lists.end()) {
        for (const auto& a : it->second.assets) {
            if (a.asset == key && !a.name.empty()) {
                return a.name;
            }
        }
    }
    return key;
}

void DefiLlama::plan_lists(BackfillContext& ctx) {
    // List points only rank candidates; their time does not matter.
    const core::Time ts = ctx.now();
    const core::Time yesterday = core::floor_to(ctx.now(), 24h) - 24h;
    // The lists candidates are ranked from: each family's own snapshot request, plus the chain
    // labels of /v2/chains for chain charts and pool TVLs of /pools for utilization.
    for (const auto& f : families()) {
        if (!m_selection.wants_family(f) || !available(f)) {
            continue;
        }
        if (f.id == FamilyId::flows) {
            core::log::info("flows (INFLOW, OUTFLOW) have no history endpoint; live pulls "
                            "collect them day by day");
            continue;
        }
        fetch_list(ctx, snapshot(f, ts, yesterday));
        if (!f.twin_metrics.empty() && m_selection.wants_metric(f.twin_metrics.front())) {
            fetch_list(ctx, snapshot(family(FamilyId::chain_tvl), ts, yesterday));
        }
        if (f.id == FamilyId::utilization) {
            fetch_list(ctx, snapshot(family(FamilyId::pools), ts, yesterday));
        }
    }
}

std::vector<std::string> DefiLlama::check_listed_names(BackfillContext& ctx) {
    // Every list answered: what none of them has is unknown to DefiLlama. Unlisted protocols
    // and chains are asked for anyway (a parent protocol, an old label); DefiLlama's 400 then
    // names them.
    Known known;
    const bool lists_arrived = std::all_of(
        m_lists.begin(), m_lists.end(), [](const auto& list) { return list.second.arrived; });
    for (const auto& [name, list] : m_lists) {
        auto listed = known_assets(list.points, list.assets);
        known.ids.merge(listed.ids);
        known.names.merge(listed.names);
    }
    if (lists_arrived && !m_lists.empty()) {
        check_names(ctx, known, true);
    }
    return {known.names.begin(), known.names.end()};
}

void DefiLlama::plan_charts(const HistoryPlan& plan,
                            Kind kind,
                            std::string_view metric,
                            const std::vector<std::pair<std::string, double>>& ranked,
                            Service service,
                            const ChartPath& path,
                            const ChartParser& parse) {
    BackfillContext& ctx = plan.ctx;
    for (const auto& asset : m_selection.pick(kind, metric, ranked)) {
        const std::string url_path = path(asset);
        const std::string label = fmt::format("GET {}", url_path.substr(0, url_path.find('?')));
        ctx.fetch_chunk(
            get(m_endpoints.url(service, url_path), label),
            Chunk{{{asset, std::string(metric)}}, ctx.to()},
            [parse, asset](std::string& b, store::Batch& o, core::Time&) { parse(b, asset, o); },
            {},
            // DefiLlama's 400 ("Protocol not found", "There is no chain with that
            // name", "invalid configID!") is its word for an unknown asset: its
            // text, and the closest names the lists have.
            [&ctx, asset, label, known = plan.known_names](const http::Response& r) {
                const auto near = suggestions(asset, known);
                if (r.status != 400 || near.empty()) {
                    return false;
                }
                ctx.record_error(
                    asset,
                    label,
                    fmt::format("{}; closest: {}", r.describe(), fmt::join(near, ", ")));
                return true;
            });
    }
}

void DefiLlama::plan_dimension_history(const HistoryPlan& plan, const Family& f) {
    // Protocols from /summary/{type}/{slug}, their chain twins from /overview/{type}/{chain}.
    const std::string list(f.name);
    for (const std::string_view metric : f.metrics) {
        if (m_selection.wants_metric(metric)) {
            plan_charts(
                plan,
                Kind::protocol,
                metric,
                candidates(list, metric),
                Service::api,
                [&f](const std::string& slug) {
                    return summary_path(f, http::percent_encode(slug));
                },
                [metric](std::string& b, const std::string& slug, store::Batch& o) {
                    parse_dimension_chart(b, slug, metric, o);
                });
        }
    }
    for (const std::string_view twin : f.twin_metrics) {
        if (m_selection.wants_metric(twin)) {
            plan_charts(
                plan,
                Kind::chain,
                twin,
                candidates(list, twin),
                Service::api,
                [this, &f](const std::string& key) {
                    return overview_path(f, http::percent_encode(chain_label(key)));
                },
                [twin](std::string& b, const std::string& key, store::Batch& o) {
                    parse_dimension_chart(b, key, twin, o);
                });
        }
    }
}

void DefiLlama::plan_utilization_history(const HistoryPlan& plan) {
    // Pools with a borrow side, ranked by their TVL from /pools.
    std::map<std::string, double> tvl;
    for (const auto& [pool, value] : candidates("pools", "POOL_TVL")) {
        tvl[pool] = value;
    }
    std::vector<std::pair<std::string, double>> ranked;
    for (const auto& [pool, u] : candidates("lendBorrow", "UTILIZATION")) {
        auto it = tvl.find(pool);
        ranked.emplace_back(pool, it == tvl.end() ? 0.0 : it->second);
    }
    plan_charts(
        plan,
        Kind::pool,
        "UTILIZATION",
        ranked,
        Service::yields,
        [](const std::string& pool) {
            return fmt::format("/chartLendBorrow/{}", http::percent_encode(pool));
        },
        [](std::string& b, const std::string& pool, store::Batch& o) {
            parse_lend_borrow_chart(b, pool, o);
        });
}

void DefiLlama::plan_history(const HistoryPlan& plan, const Family& f) {
    const auto encoded = [](const char* pattern) {
        return [pattern](const std::string& id) {
            return fmt::format(fmt::runtime(pattern), http::percent_encode(id));
        };
    };
    const auto chain_encoded = [this](const char* pattern) {
        return [this, pattern](const std::string& key) {
            return fmt::format(fmt::runtime(pattern), http::percent_encode(chain_label(key)));
        };
    };
    switch (f.id) {
    case FamilyId::tvl:
        return plan_charts(plan,
                           Kind::protocol,
                           "TVL",
                           candidates("protocols", "TVL"),
                           Service::api,
                           encoded("/protocol/{}"),
                           parse_protocol_history);
    case FamilyId::chain_tvl:
        return plan_charts(plan,
                           Kind::chain,
                           "CHAIN_TVL",
                           candidates("chains", "CHAIN_TVL"),
                           Service::api,
                           chain_encoded("/v2/historicalChainTvl/{}"),
                           parse_chain_history);
    case FamilyId::fees:
    case FamilyId::revenue:
    case FamilyId::holders_revenue:
    case FamilyId::dex_volume:
    case FamilyId::options_premium:
    case FamilyId::options_notional:
    case FamilyId::aggregator_volume:
    case FamilyId::derivatives_volume:
    case FamilyId::open_interest:
        return plan_dimension_history(plan, f);
    case FamilyId::stablecoins:
        return plan_charts(plan,
                           Kind::stablecoin,
                           "STABLECOIN_SUPPLY",
                           candidates("stablecoins", "STABLECOIN_SUPPLY"),
                           Service::stablecoins,
                           encoded("/stablecoincharts/all?stablecoin={}"),
                           [](std::string& b, const std::string& id, store::Batch& o) {
                               parse_stablecoin_chart(b, id, "STABLECOIN_SUPPLY", o);
                           });
    case FamilyId::chain_stablecoins:
        return plan_charts(plan,
                           Kind::chain,
                           "CHAIN_STABLECOIN_SUPPLY",
                           candidates("stablecoinchains", "CHAIN_STABLECOIN_SUPPLY"),
                           Service::stablecoins,
                           chain_encoded("/stablecoincharts/{}"),
                           [](std::string& b, const std::string& key, store::Batch& o) {
                               parse_stablecoin_chart(b, key, "CHAIN_STABLECOIN_SUPPLY", o);
                           });
    case FamilyId::bridges:
        return plan_charts(plan,
                           Kind::bridge,
                           "BRIDGE_VOLUME_24H",
                           candidates("bridges", "BRIDGE_VOLUME_30D"),
                           Service::bridges,
                           encoded("/bridgevolume/all?id={}"),
                           parse_bridge_volume);
    case FamilyId::pools:
        return plan_charts(plan,
                           Kind::pool,
                           "APY",
                           candidates("pools", "POOL_TVL"),
                           Service::yields,
                           encoded("/chart/{}"),
                           parse_pool_chart);
    case FamilyId::utilization:
        return plan_utilization_history(plan);
    case FamilyId::flows:
        return; // no history endpoint (plan_lists says so)
    }
}

bool DefiLlama::plan_backfill(BackfillContext& ctx, int phase) {
    if (phase == 0) {
        plan_lists(ctx);
        return true;
    }
    if (phase > 1) {
        return false;
    }
    const HistoryPlan plan{ctx, check_listed_names(ctx)};
    for (const auto& f : families()) {
        if (m_selection.wants_family(f) && available(f)) {
            plan_history(plan, f);
        }
    }
    return false;
}

} // namespace sources::defillama
