#include <tm/core/csv.hpp>
#include <tm/core/error.hpp>
#include <tm/core/log.hpp>
#include <tm/core/strings.hpp>
#include <tm/sources/artemis/matrix.hpp>
#include <tm/sources/artemis/parse.hpp>

#include <fmt/format.h>

#include <algorithm>

namespace sources::artemis {
namespace {

bool contains(const std::vector<std::string_view>& list, std::string_view item) {
    return std::find(list.begin(), list.end(), item) != list.end();
}

} // namespace

const std::vector<std::string_view>& default_metrics() {
    static const std::vector<std::string_view> metrics = {
        "PRICE",
        "MC",
        "FDMC",
        "FEES",
        "REVENUE",
        "DAU",
        "NEW_USERS",
        "TXNS",
        "24H_VOLUME",
        "AVG_TXN_FEE",
        "SPOT_VOLUME",
        "SPOT_FEES",
        "OPEN_INTEREST",
        "PERP_VOLUME",
        "PERP_FEES",
        "PERP_TXNS",
        "PERP_LIQUIDATION",
        "LENDING_DEPOSITS",
        "LENDING_BORROWS",
        "CIRCULATING_SUPPLY_NATIVE",
        "TOTAL_SUPPLY_NATIVE",
        "STABLECOIN_MC",
    };
    return metrics;
}

const std::vector<std::string_view>& excluded_metrics() {
    static const std::vector<std::string_view> metrics = {"VOLATILITY_90D_ANN",
                                                          "STABLECOIN_AVG_DAU",
                                                          "TOKENIZED_SHARES_TRADING_VOLUME",
                                                          "FDMV_NAV_RATIO"};
    return metrics;
}

Matrix::Matrix(const Selection& selection) {
    std::set<std::string> only_metrics;
    for (const auto& m : selection.metrics) {
        only_metrics.insert(core::strings::to_upper(m));
    }
    if (selection.config_file) {
        const auto rows = core::csv::read(*selection.config_file);
        if (rows.empty()) {
            throw core::UsageError(fmt::format("{}: empty; expected a header row asset,METRIC,…",
                                               *selection.config_file));
        }
        const auto& header = rows.front();
        const auto where = [&](int line) {
            return fmt::format("{}:{}: ", *selection.config_file, line);
        };
        if (header.fields.empty()
            || (header.fields[0] != "asset" && header.fields[0] != "symbol")) {
            throw core::UsageError(where(header.line) + "the first column must be 'asset'");
        }
        for (size_t r = 1; r < rows.size(); ++r) {
            const auto& row = rows[r];
            if (row.fields.size() != header.fields.size()) {
                throw core::UsageError(fmt::format("{}expected {} cells like the header, found {}",
                                                   where(row.line),
                                                   header.fields.size(),
                                                   row.fields.size()));
            }
            const std::string asset = core::strings::to_lower(row.fields[0]);
            if (asset.empty()) {
                throw core::UsageError(where(row.line) + "the asset is empty");
            }
            auto& metrics = m_wanted[asset];
            for (size_t c = 1; c < row.fields.size(); ++c) {
                const std::string column = header.fields[c];
                if (column == "name") {
                    m_names[asset] = row.fields[c];
                    continue;
                }
                if (column == "kind") {
                    if (row.fields[c] == "equity") {
                        m_equities.insert(asset);
                    }
                    continue;
                }
                const std::string& cell = row.fields[c];
                if (cell == "1") {
                    metrics.insert(core::strings::to_upper(column));
                } else if (cell != "0" && !cell.empty()) {
                    throw core::UsageError(
                        fmt::format("{}cell {} for {} must be 1 or 0, found '{}'",
                                    where(row.line),
                                    column,
                                    asset,
                                    cell));
                }
            }
        }
    } else if (!selection.assets.empty()) {
        const auto& metrics =
            only_metrics.empty() ? default_metrics() : std::vector<std::string_view>{};
        for (const auto& a : selection.assets) {
            auto& wanted = m_wanted[core::strings::to_lower(a)];
            for (const auto m : metrics) {
                wanted.insert(std::string(m));
            }
            wanted.insert(only_metrics.begin(), only_metrics.end());
        }
    } else {
        throw core::UsageError(
            "artemis needs the assets to pull: --config config/artemis.csv (the asset × "
            "metric matrix) or --assets sol,eth");
    }
    // Narrow by --assets and --metrics; drop the data-quality exclusions nobody named.
    std::set<std::string> only_assets;
    for (const auto& a : selection.assets) {
        only_assets.insert(core::strings::to_lower(a));
    }
    std::set<std::string> dropped;
    for (auto it = m_wanted.begin(); it != m_wanted.end();) {
        auto& metrics = it->second;
        for (auto m = metrics.begin(); m != metrics.end();) {
            const bool excluded = contains(excluded_metrics(), *m) && !only_metrics.contains(*m);
            if (excluded) {
                dropped.insert(*m);
            }
            if (excluded || (!only_metrics.empty() && !only_metrics.contains(*m))) {
                m = metrics.erase(m);
            } else {
                ++m;
            }
        }
        if (metrics.empty() || (!only_assets.empty() && !only_assets.contains(it->first))) {
            it = m_wanted.erase(it);
        } else {
            ++it;
        }
    }
    for (const auto& m : dropped) {
        core::log::info("skipping {} (excluded for data quality; name it in --metrics to pull it)",
                        m);
    }
    if (m_wanted.empty()) {
        throw core::UsageError("no Artemis asset and metric left to pull after --assets/--metrics");
    }
}

store::AssetKind Matrix::kind(std::string_view symbol) const {
    return m_equities.contains(symbol) ? store::AssetKind::equity : default_kind(symbol);
}

std::vector<store::Asset> Matrix::assets() const {
    std::vector<store::Asset> out;
    for (const auto& [asset, metrics] : m_wanted) {
        auto name = m_names.find(asset);
        out.push_back({"artemis",
                       kind(asset),
                       asset,
                       name == m_names.end() ? "" : name->second,
                       "",
                       "",
                       "",
                       ""});
    }
    return out;
}

std::map<std::vector<std::string>, std::vector<std::string>> Matrix::groups() const {
    std::map<std::vector<std::string>, std::vector<std::string>> out;
    for (const auto& [asset, metrics] : m_wanted) {
        out[std::vector<std::string>(metrics.begin(), metrics.end())].push_back(asset);
    }
    return out;
}

} // namespace sources::artemis
