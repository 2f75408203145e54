#pragma once

#include <tm/sources/defillama/endpoints.hpp>
#include <tm/sources/defillama/families.hpp>
#include <tm/sources/defillama/selection.hpp>
#include <tm/sources/source.hpp>

#include <map>
#include <set>
#include <string>

namespace sources::defillama {

// The one request of a family's live snapshot, which is also the list a backfill ranks its
// candidates from. Every family has one but flows (one request per protocol).
struct Snapshot {
    std::string name; // of the list, shared by families that read the same endpoint
    Service service;
    std::string path;
    std::string label;
    Parser parse;
};
// `ts` stamps snapshot points, `day` daily totals.
Snapshot snapshot(const Family& family, core::Time ts, core::Time day);

// DefiLlama (research/defillama-api.md): every metric family of families.cpp, live and history,
// free tier by default and pro with DEFILLAMA_API_KEY (README "DefiLlama").
class DefiLlama : public Source {
public:
    DefiLlama(const Selection& selection, Mode mode);
    const SourceInfo& info() const override { return m_info; }
    void configure(http::Client& http) const override;
    bool plan_pull(PullContext& ctx, int phase) override;
    store::Batch select(const store::Batch& points,
                        const std::vector<store::Asset>& assets) override;
    bool plan_backfill(BackfillContext& ctx, int phase) override;

private:
    // True when `family` can be fetched on this tier; logs once why not otherwise.
    bool available(const Family& family);
    void plan_inflows(PullContext& ctx, const std::vector<std::string>& slugs);
    // Phase 0 of a backfill: fetches `list` once, parsed into m_lists[list.name].
    void fetch_list(RunContext& ctx, Snapshot list);
    std::vector<std::pair<std::string, double>> candidates(const std::string& list,
                                                           std::string_view metric) const;
    std::string chain_label(const std::string& key) const;

    // Phase 0 of a backfill: the lists that rank each wanted family's candidates.
    void plan_lists(BackfillContext& ctx);
    // Reports the names no list has (once every list arrived); returns every listed name, for
    // the suggestions of a 400.
    std::vector<std::string> check_listed_names(BackfillContext& ctx);
    // Phase 1 of a backfill: one planner per history shape.
    struct HistoryPlan {
        BackfillContext& ctx;
        std::vector<std::string> known_names;
    };
    using ChartPath = std::function<std::string(const std::string& asset)>;
    using ChartParser =
        std::function<void(std::string& body, const std::string& asset, store::Batch& out)>;
    void plan_history(const HistoryPlan& plan, const Family& family);
    // One chart request per asset picked for `metric` from `ranked`, each a chunk of its own.
    void plan_charts(const HistoryPlan& plan,
                     Kind kind,
                     std::string_view metric,
                     const std::vector<std::pair<std::string, double>>& ranked,
                     Service service,
                     const ChartPath& path,
                     const ChartParser& parse);
    void plan_dimension_history(const HistoryPlan& plan, const Family& family);
    void plan_utilization_history(const HistoryPlan& plan);
    // What the lists and answers hold: the (kind, id) of every asset, and every name a user
    // may give for one (ids, stablecoin and bridge symbols).
    struct Known {
        std::set<std::pair<Kind, std::string>> ids;
        std::set<std::string> names;
    };
    static Known known_assets(const store::Batch& points, const std::vector<store::Asset>& assets);
    // Reports the names of the run that `known` does not have, with the closest names. Config
    // rows are judged by the kinds `known` has, less protocols and chains when they are
    // `asked_anyway` (a backfill).
    void check_names(RunContext& ctx, const Known& known, bool asked_anyway);

    SourceInfo m_info;
    Endpoints m_endpoints;
    DefiLlamaSelection m_selection;
    struct List {
        store::Batch points;
        std::vector<store::Asset> assets;
        bool arrived = false;
    };
    std::map<std::string, List> m_lists;
    std::set<std::string_view> m_skipped; // families already reported as unavailable
    bool m_rank_for_flows = false;        // a pull ranks protocols for flows in phase 1
};

} // namespace sources::defillama
