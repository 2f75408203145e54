#include <tm/core/strings.hpp>
#include <tm/json/reader.hpp>
#include <tm/json/writer.hpp>
#include <tm/sources/defillama/chains.hpp>
#include <tm/sources/defillama/parse.hpp>

#include <optional>

namespace sources::defillama {

using json::Path;
using simdjson::ondemand::object;

void parse_bridges(std::string& body, core::Time ts, store::Batch& out, Assets& assets) {
    json::for_each_object_at(body, "bridges", [&](object& obj, const Path& at) {
        std::optional<std::string> id, name, display, slug, destination;
        std::optional<double> day, week, month;
        std::vector<std::string> chains;
        json::for_each_field(obj, at, [&](std::string_view key, json::value v, const Path& here) {
            if (key == "id") {
                id = json::id(v, here);
            } else if (key == "name") {
                name = json::string_or_null(v, here);
            } else if (key == "displayName") {
                display = json::string_or_null(v, here);
            } else if (key == "slug") {
                slug = json::string_or_null(v, here);
            } else if (key == "destinationChain") {
                destination = json::string_or_null(v, here);
            } else if (key == "last24hVolume") {
                day = json::number_or_null(v, here);
            } else if (key == "weeklyVolume") {
                week = json::number_or_null(v, here);
            } else if (key == "monthlyVolume") {
                month = json::number_or_null(v, here);
            } else if (key == "chains") {
                chains = json::string_list(v, here);
            }
        });
        if (!id) {
            throw json::ShapeError(at.key("id"), "missing");
        }
        const auto add = [&](std::string_view metric, const std::optional<double>& v) {
            if (v) {
                out.add(out.series(k_source, store::AssetKind::bridge, *id, metric, "usd"), ts, *v);
            }
        };
        add("BRIDGE_VOLUME_24H", day);
        add("BRIDGE_VOLUME_7D", week);
        add("BRIDGE_VOLUME_30D", month);
        for (auto& c : chains) {
            c = chain_key(c);
        }
        // The API writes the string "false" when a bridge has no destination chain.
        if (destination && *destination == "false") {
            destination.reset();
        }
        assets.push_back({k_source,
                          store::AssetKind::bridge,
                          *id,
                          display ? *display : name.value_or(""),
                          "",
                          destination ? chain_key(*destination) : "",
                          "",
                          json::ObjectWriter{}
                              .field("name", name)
                              .field("slug", slug)
                              .field("chains", chains)
                              .str()});
    });
}

void parse_bridge_volume(std::string& body, std::string_view bridge, store::Batch& out) {
    const auto series =
        out.series(k_source, store::AssetKind::bridge, bridge, "BRIDGE_VOLUME_24H", "usd");
    json::for_each_object(body, [&](object& obj, const Path& at) {
        std::optional<double> date, deposit, withdraw;
        json::for_each_field(obj, at, [&](std::string_view key, json::value v, const Path& here) {
            if (key == "date") {
                date = json::unix_seconds(v, here);
            } else if (key == "depositUSD") {
                deposit = json::number_or_null(v, here);
            } else if (key == "withdrawUSD") {
                withdraw = json::number_or_null(v, here);
            }
        });
        if (!date) {
            throw json::ShapeError(at.key("date"), "missing");
        }
        if (deposit || withdraw) {
            out.add(series,
                    core::from_unix_seconds(core::strings::to_int64(*date)),
                    (deposit.value_or(0) + withdraw.value_or(0)) / 2);
        }
    });
}

} // namespace sources::defillama
