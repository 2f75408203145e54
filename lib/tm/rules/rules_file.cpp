#include <tm/core/error.hpp>
#include <tm/core/files.hpp>
#include <tm/core/strings.hpp>
#include <tm/core/toml.hpp>
#include <tm/rules/rules_file.hpp>
#include <tm/store/asset_kind.hpp>

#include <fmt/format.h>

#include <toml++/toml.h>

#include <algorithm>
#include <filesystem>
#include <set>

namespace rules {

// config/rules.toml, compiled in (lib/cmake/embed_text.cmake).
std::string_view default_rules_toml();

std::string_view kind_name(Kind kind) {
    switch (kind) {
    case Kind::change:
        return "change";
    case Kind::threshold:
        return "threshold";
    case Kind::deviation:
        return "deviation";
    case Kind::staleness:
        return "staleness";
    case Kind::outlier:
        return "outlier";
    case Kind::divergence:
        return "divergence";
    }
    return "?";
}

namespace {

const std::vector<std::pair<std::string_view, Kind>> k_kinds = {
    {"change", Kind::change},
    {"threshold", Kind::threshold},
    {"deviation", Kind::deviation},
    {"staleness", Kind::staleness},
    {"outlier", Kind::outlier},
    {"divergence", Kind::divergence},
};

const std::set<std::string> k_common_keys = {
    "name", "kind", "severity", "source", "metric", "asset", "asset_kind", "max_age"};

std::set<std::string> keys_of(Kind kind) {
    switch (kind) {
    case Kind::change:
        return {"window", "drop", "rise", "move"};
    case Kind::threshold:
        return {"above", "at_least", "below", "at_most", "abs", "when"};
    case Kind::deviation:
        return {"window", "threshold", "min_points", "max_points"};
    case Kind::outlier:
        return {"window", "z", "min_points", "max_points"};
    case Kind::divergence:
        return {"threshold", "max_skew"};
    case Kind::staleness:
        return {"factor", "failed_pulls", "schedule"};
    }
    return {};
}

// Reads one rule table, throwing UsageError "origin:line: rule 'name': …".
class RuleReader {
public:
    RuleReader(const toml::table& table, const std::string& origin, int line)
        : m_table(table), m_origin(origin), m_line(line) {}

    [[noreturn]] void fail(const toml::node* at, const std::string& what) const {
        const int line = at != nullptr && at->source().begin.line > 0
                             ? static_cast<int>(at->source().begin.line)
                             : m_line;
        const std::string who = m_name.empty() ? "rule" : fmt::format("rule '{}'", m_name);
        throw core::UsageError(fmt::format("{}:{}: {}: {}", m_origin, line, who, what));
    }

    Rule read() {
        Rule rule;
        rule.line = m_line;
        rule.name = required_string("name");
        m_name = rule.name;
        const bool name_ok =
            !rule.name.empty() && std::all_of(rule.name.begin(), rule.name.end(), [](char c) {
                return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
            });
        if (!name_ok) {
            fail(m_table.get("name"), "a name is lower-case letters, digits and '_'");
        }
        const std::string kind = required_string("kind");
        const auto k = std::find_if(
            k_kinds.begin(), k_kinds.end(), [&](const auto& p) { return p.first == kind; });
        if (k == k_kinds.end()) {
            fail(m_table.get("kind"),
                 fmt::format("unknown kind '{}' (known: change, threshold, deviation, staleness, "
                             "outlier, divergence)",
                             kind));
        }
        rule.kind = k->second;
        check_keys(m_table, keys_of(rule.kind), true);

        rule.severity = optional_string("severity").value_or("warning");
        if (rule.severity != "info" && rule.severity != "warning" && rule.severity != "critical") {
            fail(m_table.get("severity"),
                 fmt::format("severity '{}' is not info, warning or critical", rule.severity));
        }
        rule.select.sources = string_list("source");
        rule.select.metrics = string_list("metric");
        rule.select.assets = string_list("asset");
        rule.select.asset_kinds = string_list("asset_kind");
        for (const auto& name : rule.select.asset_kinds) {
            if (!store::asset_kind_named(name)) {
                fail(m_table.get("asset_kind"),
                     fmt::format(
                         "unknown asset_kind '{}' (known: {})", name, store::asset_kind_list()));
            }
        }
        if (auto d = optional_duration("max_age")) {
            rule.max_age = *d;
        }
        switch (rule.kind) {
        case Kind::change:
            read_change(rule);
            break;
        case Kind::threshold:
            read_threshold(rule);
            break;
        case Kind::deviation:
            rule.window = required_duration("window");
            rule.fraction = positive_number("threshold");
            read_point_counts(rule, 1);
            break;
        case Kind::outlier:
            rule.window = required_duration("window");
            rule.z = positive_number("z");
            read_point_counts(rule, 20);
            break;
        case Kind::divergence:
            rule.fraction = positive_number("threshold");
            rule.window = optional_duration("max_skew").value_or(std::chrono::hours{48});
            break;
        case Kind::staleness:
            read_staleness(rule);
            break;
        }
        if (rule.kind != Kind::staleness && rule.select.metrics.empty()) {
            fail(nullptr, "needs metric = [...] (which series it judges)");
        }
        return rule;
    }

private:
    void
    check_keys(const toml::table& table, const std::set<std::string>& specific, bool common) const {
        for (const auto& [key, node] : table) {
            const std::string k(key.str());
            if (specific.contains(k) || (common && k_common_keys.contains(k))) {
                continue;
            }
            std::vector<std::string> known(specific.begin(), specific.end());
            if (common) {
                known.insert(known.end(), k_common_keys.begin(), k_common_keys.end());
            }
            const auto near = core::strings::closest(k, known);
            fail(&node,
                 near ? fmt::format("unknown key '{}' (did you mean '{}'?)", k, *near)
                      : fmt::format("unknown key '{}' (known: {})", k, fmt::join(known, ", ")));
        }
    }

    std::optional<std::string> optional_string(const char* key) const {
        const toml::node* node = m_table.get(key);
        if (node == nullptr) {
            return std::nullopt;
        }
        if (!node->is_string()) {
            fail(node, fmt::format("'{}' must be a string", key));
        }
        return std::string(node->as_string()->get());
    }

    std::string required_string(const char* key) const {
        auto s = optional_string(key);
        if (!s) {
            fail(nullptr, fmt::format("missing '{}'", key));
        }
        return *s;
    }

    // A string or an array of strings.
    std::vector<std::string> string_list(const char* key) const {
        const toml::node* node = m_table.get(key);
        std::vector<std::string> out;
        if (node == nullptr) {
            return out;
        }
        if (node->is_string()) {
            out.emplace_back(node->as_string()->get());
        } else if (const auto* array = node->as_array()) {
            for (const auto& item : *array) {
                if (!item.is_string()) {
                    fail(&item, fmt::format("'{}' must list strings", key));
                }
                out.emplace_back(item.as_string()->get());
            }
        } else {
            fail(node, fmt::format("'{}' must be a string or a list of strings", key));
        }
        for (const auto& s : out) {
            if (s.empty()) {
                fail(node, fmt::format("'{}' has an empty entry", key));
            }
        }
        return out;
    }

    std::optional<double> optional_number(const toml::table& table, const char* key) const {
        const toml::node* node = table.get(key);
        if (node == nullptr) {
            return std::nullopt;
        }
        if (!node->is_number()) {
            fail(node, fmt::format("'{}' must be a number", key));
        }
        return node->value<double>();
    }

    double positive_number(const char* key) const {
        const auto v = optional_number(m_table, key);
        if (!v) {
            fail(nullptr, fmt::format("missing '{}'", key));
        }
        if (!(*v > 0)) {
            fail(m_table.get(key), fmt::format("'{}' must be greater than 0", key));
        }
        return *v;
    }

    int whole_number(const char* key, int fallback) const {
        const auto v = optional_number(m_table, key);
        if (!v) {
            return fallback;
        }
        if (*v < 1 || *v != static_cast<int>(*v)) {
            fail(m_table.get(key), fmt::format("'{}' must be a whole number of at least 1", key));
        }
        return static_cast<int>(*v);
    }

    void read_point_counts(Rule& rule, int min_fallback) const {
        rule.min_points = whole_number("min_points", min_fallback);
        rule.max_points = whole_number("max_points", Rule{}.max_points);
        if (rule.max_points < rule.min_points) {
            fail(m_table.get(m_table.contains("max_points") ? "max_points" : "min_points"),
                 fmt::format("'max_points' ({}) must be at least 'min_points' ({}), or the rule "
                             "never fires",
                             rule.max_points,
                             rule.min_points));
        }
    }

    core::Duration parse_duration_node(const toml::node* node, const std::string& key) const {
        if (!node->is_string()) {
            fail(node, fmt::format("'{}' must be a duration string such as \"24h\"", key));
        }
        const auto d = core::parse_duration(node->as_string()->get());
        if (!d || d->count() <= 0) {
            fail(node,
                 fmt::format("'{}' = \"{}\" is not a duration (use s, m, h, d: \"5m\", \"24h\")",
                             key,
                             node->as_string()->get()));
        }
        return *d;
    }

    std::optional<core::Duration> optional_duration(const char* key) const {
        const toml::node* node = m_table.get(key);
        if (node == nullptr) {
            return std::nullopt;
        }
        return parse_duration_node(node, key);
    }

    core::Duration required_duration(const char* key) const {
        auto d = optional_duration(key);
        if (!d) {
            fail(nullptr, fmt::format("missing '{}' (a duration such as \"24h\")", key));
        }
        return *d;
    }

    Bounds bounds(const toml::table& table) const {
        Bounds b;
        b.above = optional_number(table, "above");
        b.at_least = optional_number(table, "at_least");
        b.below = optional_number(table, "below");
        b.at_most = optional_number(table, "at_most");
        return b;
    }

    void read_change(Rule& rule) const {
        rule.window = required_duration("window");
        int given = 0;
        for (const auto& [key, direction] : {std::pair{"drop", Rule::Direction::down},
                                             std::pair{"rise", Rule::Direction::up},
                                             std::pair{"move", Rule::Direction::either}}) {
            if (m_table.contains(key)) {
                rule.fraction = positive_number(key);
                rule.direction = direction;
                ++given;
            }
        }
        if (given != 1) {
            fail(nullptr,
                 "a change rule takes exactly one of drop, rise or move (a fraction: 0.2)");
        }
    }

    void read_threshold(Rule& rule) const {
        rule.bounds = bounds(m_table);
        if (rule.bounds.empty()) {
            fail(nullptr, "a threshold rule needs above, at_least, below or at_most");
        }
        if (const toml::node* abs = m_table.get("abs")) {
            if (!abs->is_boolean()) {
                fail(abs, "'abs' must be true or false");
            }
            rule.absolute = abs->as_boolean()->get();
        }
        if (const toml::node* when = m_table.get("when")) {
            const toml::table* t = when->as_table();
            if (t == nullptr) {
                fail(when,
                     "'when' must be a table: when = { metric = \"POOL_TVL\", at_least = 1e6 }");
            }
            check_keys(*t, {"metric", "above", "at_least", "below", "at_most"}, false);
            const toml::node* metric = t->get("metric");
            if (metric == nullptr || !metric->is_string()) {
                fail(when,
                     "'when' needs metric = \"NAME\" (the sibling series that gates the rule)");
            }
            rule.when_metric = std::string(metric->as_string()->get());
            rule.when = bounds(*t);
            if (rule.when.empty()) {
                fail(when, "'when' needs above, at_least, below or at_most");
            }
        }
    }

    void read_staleness(Rule& rule) const {
        if (const auto f = optional_number(m_table, "factor")) {
            if (!(*f > 0)) {
                fail(m_table.get("factor"), "'factor' must be greater than 0");
            }
            rule.factor = *f;
        }
        if (const auto n = optional_number(m_table, "failed_pulls")) {
            if (*n < 1 || *n != static_cast<int>(*n)) {
                fail(m_table.get("failed_pulls"),
                     "'failed_pulls' must be a whole number of at least 1");
            }
            rule.failed_pulls = static_cast<int>(*n);
        }
        const toml::node* schedule = m_table.get("schedule");
        const toml::table* t = schedule != nullptr ? schedule->as_table() : nullptr;
        if (t == nullptr || t->empty()) {
            fail(schedule,
                 "a staleness rule needs schedule = { SOURCE = \"1h\", … } (how often each source "
                 "is pulled)");
        }
        for (const auto& [key, node] : *t) {
            rule.schedule.emplace_back(
                std::string(key.str()),
                parse_duration_node(&node, fmt::format("schedule.{}", key.str())));
        }
    }

    const toml::table& m_table;
    const std::string& m_origin;
    int m_line;
    std::string m_name;
};

} // namespace

std::vector<Rule> parse_rules(std::string_view text, const std::string& origin) {
    const toml::table doc = core::parse_toml(text, origin);
    for (const auto& [key, node] : doc) {
        if (key.str() != "rule") {
            throw core::UsageError(fmt::format("{}:{}: unknown top-level key '{}' (rules are "
                                               "[[rule]] tables)",
                                               origin,
                                               node.source().begin.line,
                                               key.str()));
        }
    }
    const toml::array* list = doc["rule"].as_array();
    if (list == nullptr || list->empty()) {
        throw core::UsageError(
            fmt::format("{}: no rules; a rules file holds [[rule]] tables", origin));
    }
    std::vector<Rule> out;
    std::set<std::string> names;
    for (const auto& node : *list) {
        const int line = static_cast<int>(node.source().begin.line);
        const toml::table* table = node.as_table();
        if (table == nullptr) {
            throw core::UsageError(
                fmt::format("{}:{}: 'rule' entries must be tables", origin, line));
        }
        Rule rule = RuleReader(*table, origin, line).read();
        if (!names.insert(rule.name).second) {
            throw core::UsageError(
                fmt::format("{}:{}: rule '{}' is defined twice; names must be unique",
                            origin,
                            line,
                            rule.name));
        }
        out.push_back(std::move(rule));
    }
    return out;
}

std::vector<Rule> load_rules(const std::optional<std::string>& path) {
    if (!path) {
        return parse_rules(default_rules_toml(), "config/rules.toml (built in)");
    }
    if (!std::filesystem::is_regular_file(*path)) {
        throw core::UsageError(fmt::format("--rules {}: no such file", *path));
    }
    return parse_rules(core::files::read(*path), *path);
}

std::vector<Rule> only(std::vector<Rule> rules, const std::vector<std::string>& names) {
    if (names.empty()) {
        return rules;
    }
    std::vector<std::string> known;
    for (const auto& r : rules) {
        known.push_back(r.name);
    }
    for (const auto& n : names) {
        if (std::find(known.begin(), known.end(), n) == known.end()) {
            throw core::UsageError(
                fmt::format("--rule {}: no such rule (rules: {})", n, fmt::join(known, ", ")));
        }
    }
    std::erase_if(rules, [&](const Rule& r) {
        return std::find(names.begin(), names.end(), r.name) == names.end();
    });
    return rules;
}

} // namespace rules
