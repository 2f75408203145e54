#include <tm/json/reader.hpp>
#include <tm/json/writer.hpp>
#include <tm/sources/defillama/chains.hpp>
#include <tm/sources/defillama/parse.hpp>

#include <fmt/format.h>

#include <optional>

namespace sources::defillama {
namespace {

using json::Path;
using simdjson::ondemand::object;

core::Time iso_time(json::value v, const Path& at) {
    const auto text = json::string_or_null(v, at);
    if (!text) {
        throw json::ShapeError(at, "expected an ISO-8601 time, found null");
    }
    const auto t = core::parse_time(*text);
    if (!t) {
        throw json::ShapeError(
            at, fmt::format("expected an ISO-8601 time, found \"{}\"", text->substr(0, 40)));
    }
    return *t;
}

struct PoolValues {
    std::optional<std::string> pool;
    std::optional<core::Time> ts;
    std::optional<double> apy, apy_base, apy_reward, tvl, supply, borrow;
};

// Reads the fields every yields row shape shares.
void read_pool_field(std::string_view key, json::value v, const Path& here, PoolValues& p) {
    if (key == "pool") {
        p.pool = json::string_or_null(v, here);
    } else if (key == "timestamp") {
        p.ts = iso_time(v, here);
    } else if (key == "apy") {
        p.apy = json::number_or_null(v, here);
    } else if (key == "apyBase") {
        p.apy_base = json::number_or_null(v, here);
    } else if (key == "apyReward") {
        p.apy_reward = json::number_or_null(v, here);
    } else if (key == "tvlUsd") {
        p.tvl = json::number_or_null(v, here);
    } else if (key == "totalSupplyUsd") {
        p.supply = json::number_or_null(v, here);
    } else if (key == "totalBorrowUsd") {
        p.borrow = json::number_or_null(v, here);
    }
}

void add_pool_metrics(store::Batch& out,
                      std::string_view pool,
                      core::Time ts,
                      const PoolValues& p) {
    const auto add =
        [&](std::string_view metric, const char* unit, const std::optional<double>& v) {
            if (v) {
                out.add(out.series(k_source, store::AssetKind::pool, pool, metric, unit), ts, *v);
            }
        };
    add("APY", "percent", p.apy);
    add("APY_BASE", "percent", p.apy_base);
    add("APY_REWARD", "percent", p.apy_reward);
    add("POOL_TVL", "usd", p.tvl);
}

void add_utilization(store::Batch& out, std::string_view pool, core::Time ts, const PoolValues& p) {
    if (p.supply && p.borrow && *p.supply > 0) {
        out.add(out.series(k_source, store::AssetKind::pool, pool, "UTILIZATION", "ratio"),
                ts,
                *p.borrow / *p.supply);
    }
}

} // namespace

void parse_pools(std::string& body, core::Time ts, store::Batch& out, Assets& assets) {
    json::for_each_object_at(body, "data", [&](object& obj, const Path& at) {
        PoolValues p;
        std::optional<std::string> chain, project, symbol, meta;
        json::for_each_field(obj, at, [&](std::string_view key, json::value v, const Path& here) {
            if (key == "chain") {
                chain = json::string_or_null(v, here);
            } else if (key == "project") {
                project = json::string_or_null(v, here);
            } else if (key == "symbol") {
                symbol = json::string_or_null(v, here);
            } else if (key == "poolMeta") {
                meta = json::string_or_null(v, here);
            } else {
                read_pool_field(key, v, here, p);
            }
        });
        if (!p.pool) {
            throw json::ShapeError(at.key("pool"), "missing");
        }
        add_pool_metrics(out, *p.pool, ts, p);
        assets.push_back(
            {k_source,
             store::AssetKind::pool,
             *p.pool,
             fmt::format("{} {}", project.value_or("?"), symbol.value_or("?")),
             symbol.value_or(""),
             chain ? chain_key(*chain) : "",
             "",
             json::ObjectWriter{}.field("project", project).field("poolMeta", meta).str()});
    });
}

void parse_lend_borrow(std::string& body, core::Time ts, store::Batch& out) {
    json::for_each_object_at(
        body,
        "data",
        [&](object& obj, const Path& at) {
            PoolValues p;
            json::for_each_field(
                obj, at, [&](std::string_view key, json::value v, const Path& here) {
                    read_pool_field(key, v, here, p);
                });
            if (!p.pool) {
                throw json::ShapeError(at.key("pool"), "missing");
            }
            add_utilization(out, *p.pool, ts, p);
        },
        json::BareArray::accept);
}

namespace {

// Calls `fn(row)` for every timestamped row of a /chart or /chartLendBorrow response.
template <typename Fn> void for_each_chart_row(std::string& body, Fn&& fn) {
    json::for_each_object_at(body, "data", [&](object& obj, const Path& at) {
        PoolValues p;
        json::for_each_field(obj, at, [&](std::string_view key, json::value v, const Path& here) {
            read_pool_field(key, v, here, p);
        });
        if (!p.ts) {
            throw json::ShapeError(at.key("timestamp"), "missing");
        }
        fn(p);
    });
}

} // namespace

void parse_pool_chart(std::string& body, std::string_view pool, store::Batch& out) {
    for_each_chart_row(body, [&](const PoolValues& p) { add_pool_metrics(out, pool, *p.ts, p); });
}

void parse_lend_borrow_chart(std::string& body, std::string_view pool, store::Batch& out) {
    for_each_chart_row(body, [&](const PoolValues& p) { add_utilization(out, pool, *p.ts, p); });
}

} // namespace sources::defillama
