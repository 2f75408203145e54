#include <tm/core/strings.hpp>
#include <tm/json/reader.hpp>
#include <tm/json/writer.hpp>
#include <tm/sources/defillama/chains.hpp>
#include <tm/sources/defillama/families.hpp>
#include <tm/sources/defillama/parse.hpp>

#include <optional>

namespace sources::defillama {
namespace {

using json::Path;
using simdjson::ondemand::object;

// The sum of an object of pegs ({"peggedUSD": n, "peggedEUR": m}); nullopt when it has none.
std::optional<double>
sum_of_pegs(json::value v, const Path& at, std::optional<std::string> only = {}) {
    bool is_null = false;
    json::check(v.is_null().get(is_null), at);
    if (is_null) {
        return std::nullopt;
    }
    object pegs;
    json::check(v.get_object().get(pegs), at);
    std::optional<double> sum;
    json::for_each_field(pegs, at, [&](std::string_view peg, json::value x, const Path& here) {
        if (only && peg != *only) {
            return;
        }
        if (auto n = json::number_or_null(x, here)) {
            sum = sum.value_or(0) + *n;
        }
    });
    return sum;
}

} // namespace

void parse_stablecoins(std::string& body, core::Time ts, store::Batch& out, Assets& assets) {
    json::for_each_object_at(body, "peggedAssets", [&](object& obj, const Path& at) {
        std::optional<std::string> id, name, symbol, gecko_id, peg_type, mechanism;
        std::optional<double> supply;
        std::vector<std::string> chains;
        json::for_each_field(obj, at, [&](std::string_view key, json::value v, const Path& here) {
            if (key == "id") {
                id = json::id(v, here);
            } else if (key == "name") {
                name = json::string_or_null(v, here);
            } else if (key == "symbol") {
                symbol = json::string_or_null(v, here);
            } else if (key == "gecko_id") {
                gecko_id = json::string_or_null(v, here);
            } else if (key == "pegType") {
                peg_type = json::string_or_null(v, here);
            } else if (key == "pegMechanism") {
                mechanism = json::string_or_null(v, here);
            } else if (key == "circulating") {
                // Keys come in document order; pegType precedes circulating in every response
                // documented, and a missing pegType sums every peg.
                supply = sum_of_pegs(v, here, peg_type);
            } else if (key == "chains") {
                chains = json::string_list(v, here);
            }
        });
        if (!id) {
            throw json::ShapeError(at.key("id"), "missing");
        }
        if (supply) {
            out.add(
                out.series(k_source, store::AssetKind::stablecoin, *id, "STABLECOIN_SUPPLY", "usd"),
                ts,
                *supply);
        }
        for (auto& c : chains) {
            c = chain_key(c);
        }
        assets.push_back({k_source,
                          store::AssetKind::stablecoin,
                          *id,
                          name.value_or(""),
                          symbol.value_or(""),
                          "",
                          gecko_id.value_or(""),
                          json::ObjectWriter{}
                              .field("pegType", peg_type)
                              .field("pegMechanism", mechanism)
                              .field("chains", chains)
                              .str()});
    });
}

void parse_stablecoin_chains(std::string& body, core::Time ts, store::Batch& out) {
    json::for_each_object(body, [&](object& obj, const Path& at) {
        std::optional<std::string> name;
        std::optional<double> supply;
        json::for_each_field(obj, at, [&](std::string_view key, json::value v, const Path& here) {
            if (key == "name") {
                name = json::string_or_null(v, here);
            } else if (key == "totalCirculatingUSD") {
                supply = sum_of_pegs(v, here);
            }
        });
        if (!name) {
            throw json::ShapeError(at.key("name"), "missing");
        }
        if (supply) {
            out.add(out.series(k_source,
                               store::AssetKind::chain,
                               chain_key(*name),
                               "CHAIN_STABLECOIN_SUPPLY",
                               "usd"),
                    ts,
                    *supply);
        }
    });
}

void parse_stablecoin_chart(std::string& body,
                            std::string_view asset,
                            std::string_view metric,
                            store::Batch& out) {
    const auto series = out.series(k_source, kind_of(metric), asset, metric, "usd");
    json::for_each_object(body, [&](object& obj, const Path& at) {
        std::optional<double> date, supply;
        json::for_each_field(obj, at, [&](std::string_view key, json::value v, const Path& here) {
            if (key == "date") {
                date = json::unix_seconds(v, here);
            } else if (key == "totalCirculatingUSD") {
                supply = sum_of_pegs(v, here);
            }
        });
        if (!date) {
            throw json::ShapeError(at.key("date"), "missing");
        }
        if (supply) {
            out.add(series, core::from_unix_seconds(core::strings::to_int64(*date)), *supply);
        }
    });
}

} // namespace sources::defillama
