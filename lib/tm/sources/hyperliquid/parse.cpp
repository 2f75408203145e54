#include <tm/core/strings.hpp>
#include <tm/json/reader.hpp>
#include <tm/json/writer.hpp>
#include <tm/sources/hyperliquid/parse.hpp>
#include <tm/sources/price.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <optional>

namespace sources::hyperliquid {
namespace {

using json::Path;
using simdjson::ondemand::array;
using simdjson::ondemand::json_type;
using simdjson::ondemand::object;

json_type type_of(json::value& v, const Path& at) {
    json_type t = json_type::null;
    json::check(v.type().get(t), at);
    return t;
}

array as_array(json::value v, const Path& at) {
    const auto t = type_of(v, at);
    if (t != json_type::array) {
        throw json::ShapeError(at, fmt::format("expected an array, found {}", json::type_name(t)));
    }
    array a;
    json::check(v.get_array().get(a), at);
    return a;
}

struct Perp {
    std::string name;
    bool delisted = false;
    std::optional<double> sz_decimals, max_leverage;
    bool only_isolated = false;
};

std::vector<Perp> read_universe(json::value meta, const Path& at) {
    std::vector<Perp> perps;
    object obj;
    if (type_of(meta, at) != json_type::object) {
        throw json::ShapeError(at, "expected the meta object");
    }
    json::check(meta.get_object().get(obj), at);
    json::for_each_field(obj, at, [&](std::string_view key, json::value v, const Path& here) {
        if (key != "universe") {
            return;
        }
        auto items = as_array(v, here);
        json::for_each_object(items, here, [&](object& perp, const Path& p_at) {
            Perp p;
            json::for_each_field(
                perp, p_at, [&](std::string_view k, json::value x, const Path& x_at) {
                    if (k == "name") {
                        p.name = json::string_or_null(x, x_at).value_or("");
                    } else if (k == "isDelisted" || k == "onlyIsolated") {
                        bool flag = false;
                        json::check(x.get_bool().get(flag), x_at);
                        (k == "isDelisted" ? p.delisted : p.only_isolated) = flag;
                    } else if (k == "szDecimals") {
                        p.sz_decimals = json::number_or_null(x, x_at);
                    } else if (k == "maxLeverage") {
                        p.max_leverage = json::number_or_null(x, x_at);
                    }
                });
            if (p.name.empty()) {
                throw json::ShapeError(p_at.key("name"), "missing");
            }
            perps.push_back(std::move(p));
        });
    });
    return perps;
}

// One asset context: the metrics of `perp` at `ts`.
void read_context(object& ctx, const Path& at, const Perp& perp, core::Time ts, store::Batch& out) {
    static constexpr std::pair<std::string_view, std::string_view> k_metrics[] = {
        {"funding", "FUNDING_RATE"},
        {"openInterest", "OPEN_INTEREST"},
        {"markPx", "MARK_PRICE"},
        {"oraclePx", "ORACLE_PRICE"},
        {"premium", "PREMIUM"},
        {"dayNtlVlm", "VOLUME_24H"},
    };
    json::for_each_field(ctx, at, [&](std::string_view key, json::value x, const Path& x_at) {
        for (const auto& [field, metric] : k_metrics) {
            if (key != field) {
                continue;
            }
            auto value = json::number_or_null(x, x_at);
            if (metric.ends_with("_PRICE")) {
                value = traded_price(value);
            }
            if (value) {
                out.add(
                    out.series(k_source, store::AssetKind::perp, perp.name, metric), ts, *value);
            }
        }
    });
}

// [venue, {"fundingRate": …} | null] entries of one coin.
void read_venues(
    array& venues, const Path& at, const std::string& coin, core::Time ts, store::Batch& out) {
    json::for_each_value(venues, at, [&](long, json::value venue, const Path& v_at) {
        auto pair = as_array(venue, v_at);
        std::string name;
        json::for_each_value(pair, v_at, [&](long k, json::value x, const Path& x_at) {
            if (k == 0) {
                name = json::string_or_null(x, x_at).value_or("");
            } else if (k == 1 && type_of(x, x_at) == json_type::object) {
                object rate;
                json::check(x.get_object().get(rate), x_at);
                json::for_each_field(
                    rate, x_at, [&](std::string_view key, json::value r, const Path& r_at) {
                        if (key != "fundingRate") {
                            return;
                        }
                        if (auto value = json::number_or_null(r, r_at)) {
                            const std::string metric = core::strings::to_upper(
                                fmt::format("PREDICTED_FUNDING_RATE_{}", name));
                            out.add(out.series(k_source, store::AssetKind::perp, coin, metric),
                                    ts,
                                    *value);
                        }
                    });
            }
        });
    });
}

} // namespace

void parse_asset_contexts(std::string& body,
                          core::Time ts,
                          store::Batch& out,
                          std::vector<store::Asset>& assets,
                          std::string_view dex) {
    std::vector<Perp> perps;
    json::read_array(
        body,
        [&](array& top, const Path& root) {
            long index = 0;
            for (auto element : top) {
                const Path at = root.index(index);
                json::value v;
                json::check(element.get(v), at);
                if (index == 0) {
                    perps = read_universe(v, at);
                    // A builder dex's coins are "dex:COIN" already; one that is not is made so,
                    // so that a name never means two markets.
                    const std::string prefix =
                        dex.empty() ? std::string() : fmt::format("{}:", dex);
                    for (auto& p : perps) {
                        if (!p.name.starts_with(prefix)) {
                            p.name = prefix + p.name;
                        }
                    }
                } else if (index == 1) {
                    auto ctxs = as_array(v, at);
                    size_t i = 0;
                    json::for_each_object(ctxs, at, [&](object& ctx, const Path& c_at) {
                        if (i >= perps.size()) {
                            throw json::ShapeError(
                                c_at,
                                fmt::format("more contexts than the {} perps of the universe",
                                            perps.size()));
                        }
                        const Perp& perp = perps[i++];
                        if (!perp.delisted) {
                            read_context(ctx, c_at, perp, ts, out);
                        }
                    });
                }
                ++index;
            }
            if (index != 2) {
                throw json::ShapeError(
                    root, fmt::format("expected [meta, contexts], found {} elements", index));
            }
        },
        "[meta, contexts]");
    for (const auto& p : perps) {
        assets.push_back(
            {k_source,
             store::AssetKind::perp,
             p.name,
             p.name,
             p.name,
             "",
             "",
             json::ObjectWriter{}
                 .field("szDecimals", p.sz_decimals)
                 .field("maxLeverage", p.max_leverage)
                 .field("onlyIsolated",
                        p.only_isolated ? std::optional<std::string>("true") : std::nullopt)
                 .field("delisted", p.delisted ? std::optional<std::string>("true") : std::nullopt)
                 .field("dex", dex.empty() ? std::nullopt : std::optional<std::string>(dex))
                 .str()});
    }
}

void parse_predicted_fundings(std::string& body, core::Time ts, store::Batch& out) {
    json::read_array(
        body,
        [&](array& coins, const Path& root) {
            json::for_each_value(coins, root, [&](long, json::value entry, const Path& at) {
                auto pair = as_array(entry, at);
                std::string coin;
                json::for_each_value(pair, at, [&](long i, json::value p, const Path& p_at) {
                    if (i == 0) {
                        coin = json::string_or_null(p, p_at).value_or("");
                    } else if (i == 1) {
                        auto venues = as_array(p, p_at);
                        read_venues(venues, p_at, coin, ts, out);
                    }
                });
            });
        },
        "an array of [coin, venues]");
}

std::vector<std::string> parse_perp_dexs(std::string& body) {
    std::vector<std::string> names;
    json::read_array(
        body,
        [&](array& dexes, const Path& root) {
            long i = 0;
            for (auto element : dexes) {
                const Path at = root.index(i++);
                json::value v;
                json::check(element.get(v), at);
                if (type_of(v, at) == json_type::null) {
                    continue; // the main dex
                }
                object dex;
                json::check(v.get_object().get(dex), at);
                std::string name;
                json::for_each_field(
                    dex, at, [&](std::string_view key, json::value x, const Path& x_at) {
                        if (key == "name") {
                            name = json::string_or_null(x, x_at).value_or("");
                        }
                    });
                if (name.empty()) {
                    throw json::ShapeError(at.key("name"), "missing");
                }
                names.push_back(std::move(name));
            }
        },
        "an array of perp dexes");
    return names;
}

size_t parse_funding_history(std::string& body, store::Batch& out, int64_t& last_ms) {
    size_t rows = 0;
    json::for_each_object(body, [&](object& row, const Path& at) {
        std::optional<std::string> coin;
        std::optional<double> rate, time;
        json::for_each_field(row, at, [&](std::string_view key, json::value v, const Path& here) {
            if (key == "coin") {
                coin = json::string_or_null(v, here);
            } else if (key == "fundingRate") {
                rate = json::number_or_null(v, here);
            } else if (key == "time") {
                time = json::number_or_null(v, here);
            }
        });
        if (!coin || !time) {
            throw json::ShapeError(at, "expected coin and time");
        }
        const auto ms = core::strings::to_int64(*time);
        last_ms = std::max(last_ms, ms);
        ++rows;
        if (rate) {
            out.add(out.series(k_source, store::AssetKind::perp, *coin, "FUNDING_RATE"),
                    core::from_unix_millis(ms),
                    *rate);
        }
    });
    return rows;
}

} // namespace sources::hyperliquid
