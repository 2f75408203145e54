#include <tm/core/error.hpp>
#include <tm/core/files.hpp>
#include <tm/core/strings.hpp>
#include <tm/core/toml.hpp>
#include <tm/store/retention.hpp>

#include <fmt/format.h>

#include <toml++/toml.h>

#include <map>
#include <set>
#include <utility>

namespace store {

// config/retention.toml, compiled in (lib/cmake/embed_text.cmake).
std::string_view default_retention_toml();

namespace {

[[noreturn]] void fail(const std::string& origin, const toml::node* at, const std::string& what) {
    const auto line = at != nullptr ? at->source().begin.line : 0;
    throw core::UsageError(line > 0 ? fmt::format("{}:{}: {}", origin, line, what)
                                    : fmt::format("{}: {}", origin, what));
}

// A whole number of days >= 1, or "forever" (nullopt).
std::optional<int> raw_days(const std::string& origin, const toml::node& node, const char* key) {
    if (node.is_string() && node.as_string()->get() == "forever") {
        return std::nullopt;
    }
    const auto days = node.value<int64_t>();
    if (!node.is_integer() || !days || *days < 1 || *days > 1'000'000) {
        fail(origin,
             &node,
             fmt::format("'{}' must be a whole number of days (1 or more) or \"forever\"", key));
    }
    return static_cast<int>(*days);
}

// A string or a list of strings.
std::vector<std::string> names(const std::string& origin, const toml::node& node, const char* key) {
    std::vector<std::string> out;
    if (node.is_string()) {
        out.emplace_back(node.as_string()->get());
    } else if (const auto* array = node.as_array()) {
        for (const auto& item : *array) {
            if (!item.is_string()) {
                fail(origin, &item, fmt::format("'{}' must list names", key));
            }
            out.emplace_back(item.as_string()->get());
        }
    } else {
        fail(origin, &node, fmt::format("'{}' must be a name or a list of names", key));
    }
    if (out.empty()) {
        fail(origin,
             &node,
             fmt::format("'{}' lists nothing; leave it out to match every {}", key, key));
    }
    for (const auto& name : out) {
        if (name.empty() || name == "*") {
            fail(origin,
                 &node,
                 fmt::format("'{}' has an empty or '*' entry; leave the key out to match every {}",
                             key,
                             key));
        }
    }
    return out;
}

void check_keys(const std::string& origin,
                const toml::table& table,
                const std::set<std::string>& known) {
    for (const auto& [key, node] : table) {
        const std::string k(key.str());
        if (known.contains(k)) {
            continue;
        }
        const std::vector<std::string> list(known.begin(), known.end());
        const auto near = core::strings::closest(k, list);
        fail(origin,
             &node,
             near ? fmt::format("unknown key '{}' (did you mean '{}'?)", k, *near)
                  : fmt::format("unknown key '{}' (known: {})", k, fmt::join(list, ", ")));
    }
}

} // namespace

RetentionPolicy parse_retention(std::string_view text, const std::string& origin) {
    const toml::table doc = core::parse_toml(text, origin);
    check_keys(origin, doc, {"default_raw_days", "retention"});
    RetentionPolicy policy;
    policy.origin = origin;
    if (const toml::node* d = doc.get("default_raw_days")) {
        policy.default_raw_days = raw_days(origin, *d, "default_raw_days");
    }
    // (source, metric) → line of the entry that names it ("" for any): one choice per pair.
    std::map<std::pair<std::string, std::string>, int> claimed;
    if (const toml::node* list = doc.get("retention")) {
        const toml::array* entries = list->as_array();
        if (entries == nullptr) {
            fail(origin, list, "'retention' entries are [[retention]] tables");
        }
        for (const auto& node : *entries) {
            const toml::table* table = node.as_table();
            if (table == nullptr) {
                fail(origin, &node, "'retention' entries are [[retention]] tables");
            }
            check_keys(origin, *table, {"source", "metric", "raw_days"});
            RetentionEntry entry;
            entry.line = static_cast<int>(node.source().begin.line);
            if (const toml::node* s = table->get("source")) {
                entry.sources = names(origin, *s, "source");
            }
            if (const toml::node* m = table->get("metric")) {
                entry.metrics = names(origin, *m, "metric");
            }
            const toml::node* days = table->get("raw_days");
            if (days == nullptr) {
                fail(origin, &node, "missing 'raw_days' (a number of days, or \"forever\")");
            }
            entry.raw_days = raw_days(origin, *days, "raw_days");
            if (entry.sources.empty() && entry.metrics.empty()) {
                fail(origin,
                     &node,
                     "an entry names a source or a metric; default_raw_days is the choice for "
                     "every series");
            }
            for (const auto& s :
                 entry.sources.empty() ? std::vector<std::string>{""} : entry.sources) {
                for (const auto& m :
                     entry.metrics.empty() ? std::vector<std::string>{""} : entry.metrics) {
                    const auto [it, fresh] = claimed.try_emplace({s, m}, entry.line);
                    if (!fresh) {
                        fail(origin,
                             &node,
                             fmt::format("source {} and metric {} already have an entry (line {}); "
                                         "one choice each",
                                         s.empty() ? "(any)" : s,
                                         m.empty() ? "(any)" : m,
                                         it->second));
                    }
                }
            }
            policy.entries.push_back(std::move(entry));
        }
    }
    return policy;
}

RetentionPolicy load_retention(const std::optional<std::string>& path) {
    if (!path) {
        return parse_retention(default_retention_toml(), "config/retention.toml");
    }
    const auto text = core::files::read_if_exists(*path);
    if (!text) {
        throw core::UsageError(fmt::format("--config {}: no such file", *path));
    }
    return parse_retention(*text, *path);
}

} // namespace store
