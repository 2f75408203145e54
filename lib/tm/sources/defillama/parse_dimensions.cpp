#include <tm/core/strings.hpp>
#include <tm/json/reader.hpp>
#include <tm/sources/defillama/chains.hpp>
#include <tm/sources/defillama/families.hpp>
#include <tm/sources/defillama/parse.hpp>

#include <map>
#include <optional>

namespace sources::defillama {
namespace {

using json::Path;
using simdjson::ondemand::object;

core::Time at_seconds(double s) {
    return core::from_unix_seconds(core::strings::to_int64(s));
}

// Adds the values of one `breakdown24h` ({chain: {version: value}}) to `per_chain`.
void add_breakdown(json::value v, const Path& at, std::map<std::string, double>& per_chain) {
    bool is_null = false;
    json::check(v.is_null().get(is_null), at);
    if (is_null) {
        return;
    }
    object chains;
    json::check(v.get_object().get(chains), at);
    json::for_each_field(
        chains, at, [&](std::string_view chain, json::value versions, const Path& here) {
            object by_version;
            json::check(versions.get_object().get(by_version), here);
            double sum = 0;
            bool any = false;
            json::for_each_field(
                by_version, here, [&](std::string_view, json::value x, const Path& xp) {
                    if (auto n = json::number_or_null(x, xp)) {
                        sum += *n;
                        any = true;
                    }
                });
            if (any) {
                per_chain[chain_key(chain)] += sum;
            }
        });
}

} // namespace

void parse_overview(std::string& body,
                    std::string_view metric,
                    std::string_view chain_metric,
                    core::Time day,
                    store::Batch& out) {
    std::map<std::string, double> per_chain;
    json::for_each_object_at(body, "protocols", [&](object& obj, const Path& at) {
        std::optional<std::string> slug, name;
        std::optional<double> total;
        json::for_each_field(obj, at, [&](std::string_view key, json::value v, const Path& here) {
            if (key == "slug") {
                slug = json::string_or_null(v, here);
            } else if (key == "name") {
                name = json::string_or_null(v, here);
            } else if (key == "total24h") {
                total = json::number_or_null(v, here);
            } else if (key == "breakdown24h" && !chain_metric.empty()) {
                add_breakdown(v, here, per_chain);
            }
        });
        if (!slug) {
            throw json::ShapeError(at.key("slug"), "missing");
        }
        if (total) {
            out.add(out.series(k_source, store::AssetKind::protocol, *slug, metric, "usd"),
                    day,
                    *total);
        }
    });
    for (const auto& [chain, value] : per_chain) {
        out.add(
            out.series(k_source, store::AssetKind::chain, chain, chain_metric, "usd"), day, value);
    }
}

void parse_dimension_chart(std::string& body,
                           std::string_view asset,
                           std::string_view metric,
                           store::Batch& out) {
    const auto series = out.series(k_source, kind_of(metric), asset, metric, "usd");
    json::for_each_pair_at(body, "totalDataChart", [&](double ts, double value) {
        out.add(series, at_seconds(ts), value);
    });
}

void parse_inflows(std::string& body, std::string_view slug, core::Time day, store::Batch& out) {
    // Every field is read (not found and the rest skipped) so that the end check sees a body
    // truncated after "outflows".
    bool found = false;
    std::optional<double> net;
    const Path root;
    json::read_object(body, [&](object& obj, const Path&) {
        json::for_each_field(obj, root, [&](std::string_view key, json::value v, const Path& at) {
            if (key == "outflows") {
                found = true;
                net = json::number_or_null(v, at);
            }
        });
    });
    if (!found) {
        throw json::ShapeError(root.key("outflows"), "missing");
    }
    if (!net) {
        return;
    }
    out.add(out.series(k_source, store::AssetKind::protocol, slug, "INFLOW", "usd"),
            day,
            *net > 0 ? *net : 0.0);
    out.add(out.series(k_source, store::AssetKind::protocol, slug, "OUTFLOW", "usd"),
            day,
            *net < 0 ? -*net : 0.0);
}

} // namespace sources::defillama
