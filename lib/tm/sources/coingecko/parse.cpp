#include <tm/core/strings.hpp>
#include <tm/json/reader.hpp>
#include <tm/sources/coingecko/parse.hpp>
#include <tm/sources/price.hpp>

#include <fmt/format.h>

#include <optional>

namespace sources::coingecko {

using json::Path;
using simdjson::ondemand::json_type;
using simdjson::ondemand::object;

void parse_simple_price(std::string& body,
                        core::Time fallback,
                        store::Batch& out,
                        std::vector<std::string>& answered) {
    json::read_object(body, [&](object& coins, const Path& root) {
        json::for_each_field(
            coins, root, [&](std::string_view coin, json::value v, const Path& at) {
                answered.emplace_back(coin);
                object fields;
                json_type t = json_type::null;
                json::check(v.type().get(t), at);
                if (t != json_type::object) {
                    throw json::ShapeError(
                        at, fmt::format("expected an object, found {}", json::type_name(t)));
                }
                json::check(v.get_object().get(fields), at);
                std::optional<double> price, cap, volume, updated;
                json::for_each_field(
                    fields, at, [&](std::string_view key, json::value x, const Path& here) {
                        if (key == "usd") {
                            price = json::number_or_null(x, here);
                        } else if (key == "usd_market_cap") {
                            cap = json::number_or_null(x, here);
                        } else if (key == "usd_24h_vol") {
                            volume = json::number_or_null(x, here);
                        } else if (key == "last_updated_at") {
                            updated = json::number_or_null(x, here);
                        }
                    });
                const core::Time ts =
                    updated ? core::from_unix_seconds(core::strings::to_int64(*updated)) : fallback;
                const std::string id(coin);
                if (auto traded = traded_price(price)) {
                    out.add(out.series(k_source, store::AssetKind::coin, id, "PRICE", "usd"),
                            ts,
                            *traded);
                }
                if (cap && *cap > 0) {
                    out.add(out.series(k_source, store::AssetKind::coin, id, "MARKET_CAP", "usd"),
                            ts,
                            *cap);
                }
                if (volume) {
                    out.add(out.series(k_source, store::AssetKind::coin, id, "VOLUME_24H", "usd"),
                            ts,
                            *volume);
                }
            });
    });
}

void parse_market_chart(std::string& body, const std::string& coin, store::Batch& out) {
    json::read_object(body, [&](object& chart, const Path& root) {
        json::for_each_field(chart, root, [&](std::string_view key, json::value v, const Path& at) {
            const char* metric = key == "prices"          ? "PRICE"
                                 : key == "market_caps"   ? "MARKET_CAP"
                                 : key == "total_volumes" ? "VOLUME_24H"
                                                          : nullptr;
            if (metric == nullptr) {
                return;
            }
            simdjson::ondemand::array items;
            json_type t = json_type::null;
            json::check(v.type().get(t), at);
            if (t != json_type::array) {
                throw json::ShapeError(
                    at, fmt::format("expected an array, found {}", json::type_name(t)));
            }
            json::check(v.get_array().get(items), at);
            const auto series = out.series(k_source, store::AssetKind::coin, coin, metric, "usd");
            // A zero market cap (young coins) is no value, and so is a zero price (no trade).
            const bool is_cap = key == "market_caps";
            const bool is_price = key == "prices";
            json::for_each_pair(items, at, [&](double ms, double value) {
                if ((is_cap && value <= 0) || (is_price && !traded_price(value))) {
                    return;
                }
                out.add(series, core::from_unix_millis(core::strings::to_int64(ms)), value);
            });
        });
    });
}

std::optional<int64_t> error_code(const std::string& body) {
    // A short error body: the DOM is simpler than on-demand here and keeps nothing.
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    if (parser.parse(body).get(root) != simdjson::SUCCESS) {
        return std::nullopt;
    }
    // {"status":{"error_code":…}} or, for some errors, {"error":{"status":{"error_code":…}}}.
    int64_t code = 0;
    if (root["status"]["error_code"].get_int64().get(code) == simdjson::SUCCESS
        || root["error"]["status"]["error_code"].get_int64().get(code) == simdjson::SUCCESS) {
        return code;
    }
    return std::nullopt;
}

std::vector<std::string> parse_coin_list(std::string& body) {
    std::vector<std::string> ids;
    json::for_each_object(body, [&](object& coin, const Path& at) {
        json::for_each_field(coin, at, [&](std::string_view key, json::value v, const Path& here) {
            if (key == "id") {
                if (auto id = json::string_or_null(v, here)) {
                    ids.push_back(std::move(*id));
                }
            }
        });
    });
    return ids;
}

} // namespace sources::coingecko
