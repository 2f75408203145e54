#include <tm/core/csv.hpp>
#include <tm/core/error.hpp>
#include <tm/core/strings.hpp>
#include <tm/sources/defillama/chains.hpp>
#include <tm/sources/defillama/selection.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace sources::defillama {
namespace {

std::optional<Kind> kind_from(std::string_view name) {
    for (const Kind k : {Kind::protocol, Kind::chain, Kind::stablecoin, Kind::bridge, Kind::pool}) {
        if (name == store::to_string(k)) {
            return k;
        }
    }
    return std::nullopt;
}

std::string metric_list() {
    std::string out;
    for (const auto m : all_metrics()) {
        out += out.empty() ? "" : ", ";
        out += m;
    }
    return out;
}

void check_metric(std::string_view metric, std::string_view where) {
    if (family_of(metric) == nullptr) {
        std::vector<std::string> names;
        for (const auto m : all_metrics()) {
            names.emplace_back(m);
        }
        std::string message = fmt::format("{}unknown DefiLlama metric '{}'", where, metric);
        if (auto guess = core::strings::closest(metric, names)) {
            message += fmt::format("; did you mean '{}'?", *guess);
        }
        throw core::UsageError(message + fmt::format(" (known: {})", metric_list()));
    }
}

} // namespace

DefiLlamaSelection::DefiLlamaSelection(const Selection& flags, int default_top)
    : m_top(flags.top.value_or(default_top)), m_min_pool_tvl(flags.min_pool_tvl) {
    if (m_top < 0) {
        throw core::UsageError("--top must be 0 (all) or a positive number");
    }
    for (const auto& m : flags.metrics) {
        check_metric(m, "--metrics: ");
        m_metrics.insert(m);
    }
    if (flags.config_file) {
        const auto rows = core::csv::read(*flags.config_file);
        bool header = true;
        for (const auto& row : rows) {
            const std::string where = fmt::format("{}:{}: ", *flags.config_file, row.line);
            if (header) {
                header = false;
                if (row.fields.size() < 2 || row.fields[0] != "kind" || row.fields[1] != "asset") {
                    throw core::UsageError(where
                                           + "the first row must be the header kind,asset,metrics");
                }
                continue;
            }
            if (row.fields.size() < 2 || row.fields.size() > 3 || row.fields[1].empty()) {
                throw core::UsageError(where + "expected kind,asset[,metrics]");
            }
            const auto kind = kind_from(row.fields[0]);
            if (!kind) {
                throw core::UsageError(
                    fmt::format("{}unknown kind '{}' (protocol, chain, stablecoin, "
                                "bridge, pool)",
                                where,
                                row.fields[0]));
            }
            Wanted wanted;
            if (row.fields.size() == 3 && row.fields[2] != "*" && !row.fields[2].empty()) {
                std::string list = row.fields[2];
                std::replace(list.begin(), list.end(), ';', ' ');
                for (const auto& m : core::strings::split_list(list, ' ')) {
                    check_metric(m, where);
                    Kind metric_kind;
                    family_of(m, &metric_kind);
                    if (metric_kind != *kind) {
                        throw core::UsageError(fmt::format("{}{} is a {} metric, not a {} one",
                                                           where,
                                                           m,
                                                           store::to_string(metric_kind),
                                                           row.fields[0]));
                    }
                    wanted.metrics.insert(m);
                }
            }
            m_config[*kind][normalize(*kind, row.fields[1])] = wanted;
        }
        if (header) {
            throw core::UsageError(fmt::format("{}: empty; expected the header kind,asset,metrics",
                                               *flags.config_file));
        }
    }
    for (const auto& a : flags.assets) {
        Named named{std::nullopt, a, a};
        if (const auto colon = a.find(':'); colon != std::string::npos) {
            if (const auto kind = kind_from(std::string_view(a).substr(0, colon))) {
                named = {kind, a.substr(colon + 1), a};
            }
        }
        if (!named.kind && !named.name.empty()
            && std::all_of(named.name.begin(), named.name.end(), [](unsigned char c) {
                   return std::isdigit(c);
               })) {
            throw core::UsageError(fmt::format(
                "--assets {0} is ambiguous: DefiLlama stablecoin ids and bridge ids are both "
                "numbers; write stablecoin:{0} or bridge:{0}",
                a));
        }
        if (named.name.empty()) {
            throw core::UsageError(fmt::format("--assets {}: the name after the kind is empty", a));
        }
        m_named.push_back(std::move(named));
    }
}

bool DefiLlamaSelection::names(const Named& named, Kind kind, const std::string& id) const {
    if (named.kind && *named.kind != kind) {
        return false;
    }
    if (named.name == id || normalize(kind, named.name) == id) {
        return true;
    }
    const std::string* aliased = alias(kind, named.name);
    return aliased != nullptr && *aliased == id;
}

size_t DefiLlamaSelection::named_count() const {
    if (!m_named.empty()) {
        return m_named.size();
    }
    size_t rows = 0;
    for (const auto& [kind, assets] : m_config) {
        rows += assets.size();
    }
    return rows;
}

std::vector<std::string>
DefiLlamaSelection::unknown(const std::set<std::pair<Kind, std::string>>& known,
                            const std::set<Kind>& config_kinds) const {
    std::vector<std::string> out;
    const auto known_as = [&](const auto& matches) {
        return std::any_of(
            known.begin(), known.end(), [&](const auto& k) { return matches(k.first, k.second); });
    };
    for (const auto& named : m_named) {
        if (!known_as([&](Kind kind, const std::string& id) { return names(named, kind, id); })) {
            out.push_back(named.given);
        }
    }
    if (!m_named.empty()) {
        return out; // --assets narrows the config to its names: only those are asked for
    }
    for (const auto& [kind, rows] : m_config) {
        if (!config_kinds.contains(kind)) {
            continue;
        }
        for (const auto& [name, wanted] : rows) {
            const Named row{kind, name, name};
            if (!known_as([&](Kind k, const std::string& id) { return names(row, k, id); })) {
                out.push_back(name);
            }
        }
    }
    return out;
}

std::string DefiLlamaSelection::normalize(Kind kind, const std::string& asset) const {
    return kind == Kind::chain ? chain_key(asset) : asset;
}

bool DefiLlamaSelection::wants_metric(std::string_view metric) const {
    if (!m_metrics.empty() && !m_metrics.contains(std::string(metric))) {
        return false;
    }
    Kind kind;
    if (family_of(metric, &kind) == nullptr) {
        return false;
    }
    if (!has_names(kind) || !m_named.empty()) {
        return true;
    }
    // A kind named in the config: only metrics some row wants.
    return std::any_of(m_config.at(kind).begin(), m_config.at(kind).end(), [&](const auto& row) {
        return row.second.metrics.empty() || row.second.metrics.contains(std::string(metric));
    });
}

bool DefiLlamaSelection::wants_family(const Family& family) const {
    const auto any = [&](const std::vector<std::string_view>& metrics) {
        return std::any_of(metrics.begin(), metrics.end(), [&](auto m) { return wants_metric(m); });
    };
    return any(family.metrics) || any(family.twin_metrics);
}

void DefiLlamaSelection::learn(const std::vector<store::Asset>& assets) {
    for (const auto& a : assets) {
        if (a.kind != Kind::stablecoin && a.kind != Kind::bridge) {
            continue;
        }
        for (const auto& name : {a.symbol, a.gecko_id, a.name}) {
            if (!name.empty()) {
                m_aliases.emplace(std::pair{a.kind, core::strings::to_lower(name)}, a.asset);
            }
        }
    }
}

const std::string* DefiLlamaSelection::alias(Kind kind, const std::string& name) const {
    const auto it = m_aliases.find({kind, core::strings::to_lower(name)});
    return it == m_aliases.end() ? nullptr : &it->second;
}

bool DefiLlamaSelection::has_names(Kind kind) const {
    return m_config.contains(kind);
}

bool DefiLlamaSelection::named(Kind kind, const std::string& asset, std::string_view metric) const {
    const auto& rows = m_config.at(kind);
    auto it = rows.find(asset);
    if (it == rows.end()) {
        // Named by symbol, gecko id or name instead of id?
        for (const auto& [name, wanted] : rows) {
            const std::string* id = alias(kind, name);
            if (id != nullptr && *id == asset) {
                it = rows.find(name);
                break;
            }
        }
        if (it == rows.end()) {
            return false;
        }
    }
    return it->second.metrics.empty() || it->second.metrics.contains(std::string(metric));
}

store::Batch DefiLlamaSelection::filter(const store::Batch& points) const {
    const auto& keys = points.keys();
    const auto& refs = points.refs();
    // The newest value of every series, for ranking.
    std::vector<double> last(keys.size(), 0);
    for (size_t i = 0; i < points.size(); ++i) {
        last[refs[i]] = points.values()[i];
    }
    std::map<std::string, double> pool_tvl;
    for (size_t s = 0; s < keys.size(); ++s) {
        if (keys[s].metric == "POOL_TVL") {
            pool_tvl[keys[s].asset] = last[s];
        }
    }
    std::vector<bool> keep(keys.size(), false);
    std::map<std::string, std::vector<size_t>> ranked; // metric → series to rank
    for (size_t s = 0; s < keys.size(); ++s) {
        const auto& k = keys[s];
        Kind kind;
        if (!wants_metric(k.metric) || family_of(k.metric, &kind) == nullptr) {
            continue;
        }
        if (!m_named.empty()) {
            keep[s] = std::any_of(m_named.begin(), m_named.end(), [&](const Named& named) {
                return names(named, kind, k.asset);
            });
        } else if (has_names(kind)) {
            keep[s] = named(kind, k.asset, k.metric);
        } else if (kind == Kind::pool) {
            auto tvl = pool_tvl.find(k.asset);
            keep[s] = tvl == pool_tvl.end() ? pool_tvl.empty() : tvl->second >= m_min_pool_tvl;
        } else if (m_top == 0) {
            keep[s] = true;
        } else {
            ranked[k.metric].push_back(s);
        }
    }
    for (auto& [metric, series] : ranked) {
        std::sort(
            series.begin(), series.end(), [&](size_t a, size_t b) { return last[a] > last[b]; });
        for (size_t i = 0; i < series.size() && i < static_cast<size_t>(m_top); ++i) {
            keep[series[i]] = true;
        }
    }
    store::Batch out;
    std::vector<store::SeriesRef> remap(keys.size());
    for (size_t s = 0; s < keys.size(); ++s) {
        if (keep[s]) {
            remap[s] = out.series(keys[s]);
        }
    }
    for (size_t i = 0; i < points.size(); ++i) {
        if (keep[refs[i]]) {
            out.add(remap[refs[i]], points.times()[i], points.values()[i]);
        }
    }
    return out;
}

std::vector<std::string>
DefiLlamaSelection::pick(Kind kind,
                         std::string_view metric,
                         std::vector<std::pair<std::string, double>> candidates) const {
    std::vector<std::string> out;
    if (!m_named.empty()) {
        // --assets: the named ones this list has, or every name when there is no list.
        std::set<std::string> chosen;
        for (const auto& named : m_named) {
            if (named.kind && *named.kind != kind) {
                continue;
            }
            const std::string asset = normalize(kind, named.name);
            const std::string* alias_id = alias(kind, named.name);
            const std::string id = alias_id != nullptr ? *alias_id : asset;
            const bool listed = std::any_of(
                candidates.begin(), candidates.end(), [&](const auto& c) { return c.first == id; });
            if (listed || candidates.empty()) {
                chosen.insert(id);
            }
        }
        out.assign(chosen.begin(), chosen.end());
        return out;
    }
    if (has_names(kind)) {
        std::set<std::string> chosen;
        for (const auto& [asset, value] : candidates) {
            if (named(kind, asset, metric)) {
                chosen.insert(asset);
            }
        }
        // Protocol slugs and chain labels no list returned are still asked for (a parent
        // protocol, a chain under another label). Stablecoins, bridges and pools are asked for
        // by id, which only a list can give.
        for (const auto& entry : m_config.at(kind)) {
            // Named, not a structured binding: clang 14 (the fuzz build) cannot capture those.
            const std::string& name = entry.first;
            const auto& wanted = entry.second;
            if (!wanted.metrics.empty() && !wanted.metrics.contains(std::string(metric))) {
                continue;
            }
            const bool listed =
                std::any_of(candidates.begin(), candidates.end(), [&](const auto& c) {
                    const std::string* id = alias(kind, name);
                    return c.first == name || (id != nullptr && *id == c.first);
                });
            if (listed) {
                continue;
            }
            // Stablecoins, bridges and pools no list has are reported by unknown().
            if (kind == Kind::protocol || kind == Kind::chain) {
                chosen.insert(name);
            }
        }
        out.assign(chosen.begin(), chosen.end());
        return out;
    }
    std::stable_sort(candidates.begin(), candidates.end(), [](const auto& a, const auto& b) {
        return a.second > b.second;
    });
    for (const auto& [asset, value] : candidates) {
        if (kind == Kind::pool && value < m_min_pool_tvl) {
            continue;
        }
        if (m_top > 0 && out.size() >= static_cast<size_t>(m_top)) {
            break;
        }
        out.push_back(asset);
    }
    return out;
}

} // namespace sources::defillama
