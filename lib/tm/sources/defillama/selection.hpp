#pragma once

#include <tm/sources/defillama/families.hpp>
#include <tm/sources/selection.hpp>
#include <tm/store/asset.hpp>
#include <tm/store/batch.hpp>

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace sources::defillama {

// Which DefiLlama assets and metrics a run wants, from config/defillama.csv (rows of
// kind,asset,metrics) and the --assets, --metrics, --top and --min-pool-tvl flags.
//   * A kind with rows in the config takes exactly those assets (and per row, those metrics).
//   * A kind without rows takes the top N assets of each metric by value (--top; pools: every
//     pool whose POOL_TVL is at least --min-pool-tvl instead).
//   * --assets narrows every kind to the named assets; --metrics to the named metrics. A name
//     matches whichever kinds have it (a protocol and a chain may share one: `hyperliquid`);
//     `KIND:NAME` (`stablecoin:1`, `bridge:1`, `chain:ethereum`) only that kind's. A bare number
//     is refused: stablecoin ids and bridge ids are both small integers, so `1` would be two
//     assets.
class DefiLlamaSelection {
public:
    // Throws core::UsageError with file and line for a bad config, for unknown metrics and for
    // an ambiguous (bare numeric) --assets name.
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

    // The names the run was given that none of `known` (the (kind, id) of every asset the
    // lists and answers hold) matches, as the user wrote them: every --assets name, and config
    // rows of the kinds in `config_kinds` (a backfill asks for unlisted protocols and chains
    // anyway: a parent protocol, a chain under another label).
    std::vector<std::string> unknown(const std::set<std::pair<Kind, std::string>>& known,
                                     const std::set<Kind>& config_kinds) const;
    // How many names the run was given (--assets, or the config's rows when none).
    size_t named_count() const;

private:
    struct Wanted {
        std::set<std::string> metrics; // empty: every metric of the kind
    };
    // An --assets name: NAME, or KIND:NAME restricted to one kind.
    struct Named {
        std::optional<Kind> kind;
        std::string name;
        std::string given; // as written
    };
    // Whether `named` names the asset `id` of `kind` (by id, chain label, or alias).
    bool names(const Named& named, Kind kind, const std::string& id) const;
    std::string normalize(Kind kind, const std::string& asset) const;
    bool named(Kind kind, const std::string& asset, std::string_view metric) const;
    bool has_names(Kind kind) const;

    std::map<Kind, std::map<std::string, Wanted>> m_config;
    std::vector<Named> m_named; // --assets
    std::set<std::string> m_metrics;
    // The id that `name` (a symbol, gecko id or name, any case) stands for among assets of `kind`.
    const std::string* alias(Kind kind, const std::string& name) const;

    // (kind, lower-cased name, symbol or gecko id) → id
    std::map<std::pair<Kind, std::string>, std::string> m_aliases;
    int m_top;
    double m_min_pool_tvl;
};

} // namespace sources::defillama
