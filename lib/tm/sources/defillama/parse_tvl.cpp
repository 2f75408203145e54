#include <tm/core/strings.hpp>
#include <tm/json/reader.hpp>
#include <tm/json/writer.hpp>
#include <tm/sources/defillama/chains.hpp>
#include <tm/sources/defillama/parse.hpp>

#include <fmt/format.h>

namespace sources::defillama {
namespace {

using json::Path;
using simdjson::ondemand::object;

std::string slugify(std::string_view name) {
    std::string slug = core::strings::to_lower(core::strings::trim(name));
    for (char& c : slug) {
        if (c == ' ') {
            c = '-';
        }
    }
    return slug;
}

} // namespace

void parse_protocols(std::string& body,
                     core::Time ts,
                     store::Batch& out,
                     std::vector<store::Asset>& assets) {
    json::for_each_object(body, [&](object& obj, const Path& at) {
        std::optional<std::string> slug, name, symbol, chain, gecko_id, category, id;
        std::optional<double> tvl;
        std::vector<std::string> chains;
        json::for_each_field(obj, at, [&](std::string_view key, json::value v, const Path& here) {
            if (key == "slug") {
                slug = json::string_or_null(v, here);
            } else if (key == "name") {
                name = json::string_or_null(v, here);
            } else if (key == "tvl") {
                tvl = json::number_or_null(v, here);
            } else if (key == "symbol") {
                symbol = json::string_or_null(v, here);
            } else if (key == "chain") {
                chain = json::string_or_null(v, here);
            } else if (key == "gecko_id") {
                gecko_id = json::string_or_null(v, here);
            } else if (key == "category") {
                category = json::string_or_null(v, here);
            } else if (key == "id") {
                id = json::id(v, here);
            } else if (key == "chains") {
                chains = json::string_list(v, here);
            }
        });
        if (!slug && !name) {
            throw json::ShapeError(at.key("slug"), "protocol has neither slug nor name");
        }
        const std::string asset = slug ? *slug : slugify(*name);
        if (tvl) {
            out.add(
                out.series(k_source, store::AssetKind::protocol, asset, "TVL", "usd"), ts, *tvl);
        }
        if (symbol && *symbol == "-") {
            symbol.reset();
        }
        // Chains by their one asset id, so a protocol joins the chain rows of other endpoints.
        for (auto& c : chains) {
            c = chain_key(c);
        }
        if (chain && *chain != "Multi-Chain") {
            chain = chain_key(*chain);
        }
        assets.push_back({k_source,
                          store::AssetKind::protocol,
                          asset,
                          name.value_or(""),
                          symbol.value_or(""),
                          chain.value_or(""),
                          gecko_id.value_or(""),
                          json::ObjectWriter{}
                              .field("id", id)
                              .field("category", category)
                              .field("chains", chains)
                              .str()});
    });
}

void parse_chains(std::string& body,
                  core::Time ts,
                  store::Batch& out,
                  std::vector<store::Asset>& assets) {
    json::for_each_object(body, [&](object& obj, const Path& at) {
        std::optional<std::string> name, gecko_id, symbol, cmc_id, chain_id;
        std::optional<double> tvl;
        json::for_each_field(obj, at, [&](std::string_view key, json::value v, const Path& here) {
            if (key == "name") {
                name = json::string_or_null(v, here);
            } else if (key == "tvl") {
                tvl = json::number_or_null(v, here);
            } else if (key == "gecko_id") {
                gecko_id = json::string_or_null(v, here);
            } else if (key == "tokenSymbol") {
                symbol = json::string_or_null(v, here);
            } else if (key == "cmcId" || key == "chainId") {
                bool is_null = false;
                json::check(v.is_null().get(is_null), here);
                if (!is_null) {
                    (key == "cmcId" ? cmc_id : chain_id) = json::id(v, here);
                }
            }
        });
        if (!name) {
            throw json::ShapeError(at.key("name"), "chain has no name");
        }
        const std::string asset = chain_key(*name);
        if (tvl) {
            out.add(
                out.series(k_source, store::AssetKind::chain, asset, "CHAIN_TVL", "usd"), ts, *tvl);
        }
        assets.push_back(
            {k_source,
             store::AssetKind::chain,
             asset,
             *name,
             symbol.value_or(""),
             "",
             gecko_id.value_or(""),
             json::ObjectWriter{}.field("cmcId", cmc_id).field("chainId", chain_id).str()});
    });
}

void parse_protocol_history(std::string& body, std::string_view slug, store::Batch& out) {
    const auto series = out.series(k_source, store::AssetKind::protocol, slug, "TVL", "usd");
    json::for_each_object_at(body, "tvl", [&](object& obj, const Path& at) {
        std::optional<double> date, tvl;
        json::for_each_field(obj, at, [&](std::string_view key, json::value v, const Path& here) {
            if (key == "date") {
                date = json::unix_seconds(v, here);
            } else if (key == "totalLiquidityUSD") {
                tvl = json::number_or_null(v, here);
            }
        });
        if (!date) {
            throw json::ShapeError(at.key("date"), "missing");
        }
        if (tvl) {
            out.add(series, core::from_unix_seconds(core::strings::to_int64(*date)), *tvl);
        }
    });
}

void parse_chain_history(std::string& body, std::string_view chain, store::Batch& out) {
    const auto series = out.series(k_source, store::AssetKind::chain, chain, "CHAIN_TVL", "usd");
    json::for_each_object(body, [&](object& obj, const Path& at) {
        std::optional<double> date, tvl;
        json::for_each_field(obj, at, [&](std::string_view key, json::value v, const Path& here) {
            if (key == "date") {
                date = json::unix_seconds(v, here);
            } else if (key == "tvl") {
                tvl = json::number_or_null(v, here);
            }
        });
        if (!date) {
            throw json::ShapeError(at.key("date"), "missing");
        }
        if (tvl) {
            out.add(series, core::from_unix_seconds(core::strings::to_int64(*date)), *tvl);
        }
    });
}

} // namespace sources::defillama
