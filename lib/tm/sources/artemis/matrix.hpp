#pragma once

#include <tm/sources/selection.hpp>
#include <tm/store/asset.hpp>

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace sources::artemis {

// Seed 004's metric list: what `--assets` without a config pulls.
const std::vector<std::string_view>& default_metrics();
// Left out by default for data quality (seed 004); pulled only when --metrics names them.
const std::vector<std::string_view>& excluded_metrics();

// Which metrics to pull for which Artemis symbol. From config/artemis.csv in matrix form (one
// row per asset, one column per metric, 1/0 cells, optional `name` and `kind` columns), or from
// --assets × (--metrics or the default list); --assets and --metrics narrow a config.
class Matrix {
public:
    // Throws core::UsageError naming the file and line for a bad config, or when nothing says
    // which assets to pull.
    explicit Matrix(const Selection& selection);

    // Symbols grouped by the exact set of metrics they want, so one request serves a group
    // without asking for pairs nobody wants.
    std::map<std::vector<std::string>, std::vector<std::string>> groups() const;
    const std::map<std::string, std::set<std::string>>& wanted() const { return m_wanted; }
    // The assets rows the matrix describes (kind equity for eq-… symbols or kind=equity, else
    // coin; the name column when present).
    std::vector<store::Asset> assets() const;
    // The kind of `symbol`: equity for eq-… symbols or kind=equity in the config, else coin.
    store::AssetKind kind(std::string_view symbol) const;

private:
    std::map<std::string, std::set<std::string>> m_wanted; // symbol → metrics
    std::map<std::string, std::string> m_names;
    std::set<std::string, std::less<>> m_equities;
};

} // namespace sources::artemis
