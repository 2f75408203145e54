#pragma once

#include <tm/sources/defillama/families.hpp>
#include <tm/sources/source.hpp>

#include <map>
#include <set>
#include <string>
#include <vector>

namespace sources::defillama {

// Which DefiLlama assets and metrics a run wants, from config/defillama.csv (rows of
// kind,asset,metrics) and the --assets, --metrics, --top and --min-pool-tvl flags.
//   * A kind with rows in the config takes exactly those assets (and per row, those metrics).
//   * A kind without rows takes the top N assets of each metric by value (--top; pools: every
//     pool whose POOL_TVL is at least --min-pool-tvl instead).
//   * --assets narrows every kind to the named assets; --metrics to the named metrics.
class DefiLlamaSelection {
public:
    // Throws core::UsageError with file and line for a bad config, and for unknown metrics.
    DefiLlamaSelection(const Selection& flags, int default_top);

    bool wants_metric(std::string_view metric) const;
    bool wants_family(const Family& family) const;

    // Learns stablecoin and bridge ids from asset rows, so a config may name them by symbol,
    // gecko id, name or slug as well as by id.
    void learn(const std::vector<store::Asset>& assets);

    // Keeps what the run asked for of `points`.
    store::Batch filter(const store::Batch& points) const;

    // The assets of `kind` to backfill for `metric`, given the candidates a list endpoint
    // returned with their current values. Named assets are kept even when no list has them.
    std::vector<std::string> pick(Kind kind,
                                  std::string_view metric,
                                  std::vector<std::pair<std::string, double>> candidates) const;

private:
    struct Wanted {
        std::set<std::string> metrics; // empty: every metric of the kind
    };
    std::string normalize(Kind kind, const std::string& asset) const;
    bool named(Kind kind, const std::string& asset, std::string_view metric) const;
    bool has_names(Kind kind) const;

    std::map<Kind, std::map<std::string, Wanted>> m_config;
    std::set<std::string> m_assets;         // --assets, and their chain keys
    std::vector<std::string> m_asset_names; // --assets as given
    std::set<std::string> m_metrics;
    // The id that `name` (a symbol, gecko id or name, any case) stands for among assets of `kind`.
    const std::string* alias(Kind kind, const std::string& name) const;

    // (kind, lower-cased name, symbol or gecko id) → id
    std::map<std::pair<Kind, std::string>, std::string> m_aliases;
    int m_top;
    double m_min_pool_tvl;
};

} // namespace sources::defillama
