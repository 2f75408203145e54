// A series' identity includes its asset kind: ids that collide across kinds stay apart in the
// store, in every query filter and in the rules; migration 006 brings an older store along.
#include "temp_db.hpp"

#include <tm/db/statement.hpp>
#include <tm/query/views.hpp>
#include <tm/rules/evaluate.hpp>
#include <tm/rules/rules_file.hpp>
#include <tm/store/point_writer.hpp>
#include <tm/store/series_dictionary.hpp>

#include <catch2/catch.hpp>

#include <set>
#include <string>
#include <vector>

namespace {

using store::AssetKind;

constexpr AssetKind k_defillama_kinds[] = {AssetKind::protocol,
                                           AssetKind::chain,
                                           AssetKind::pool,
                                           AssetKind::stablecoin,
                                           AssetKind::bridge};

// A metric of each DefiLlama kind, as the parsers name them.
std::string metric_of(AssetKind kind) {
    switch (kind) {
    case AssetKind::chain:
        return "CHAIN_TVL";
    case AssetKind::pool:
        return "POOL_TVL";
    case AssetKind::stablecoin:
        return "STABLECOIN_SUPPLY";
    case AssetKind::bridge:
        return "BRIDGE_VOLUME_24H";
    default:
        return "TVL";
    }
}

// The rows of `view` under `filter` as "kind/asset/metric" (series view) or "asset/metric".
std::set<std::string> rows(db::Connection& conn, query::View view, const query::Filter& f) {
    const auto s =
        query::select(view, f, *core::parse_time("2024-03-14T00:00:00Z"), report::Format::csv);
    const auto r = conn.exec(s.sql, s.params);
    int asset = -1, metric = -1, kind = -1;
    for (int c = 0; c < r.columns(); ++c) {
        asset = r.column_name(c) == "asset" ? c : asset;
        metric = r.column_name(c) == "metric" ? c : metric;
        kind = r.column_name(c) == "kind" ? c : kind;
    }
    std::set<std::string> out;
    for (int i = 0; i < r.rows(); ++i) {
        std::string row = kind >= 0 ? std::string(r.get(i, kind)) + "/" : "";
        out.insert(row + std::string(r.get(i, asset)) + "/" + std::string(r.get(i, metric)));
    }
    return out;
}

} // namespace

TEST_CASE("series kind: the same id of every DefiLlama kind is five series") {
    TempDb tmp;
    auto conn = tmp.connect();
    store::Batch b;
    // Every pair of kinds collides on id "1" (the same metric name never crosses kinds, so the
    // collision is in the id alone); a second id per kind keeps the filters honest.
    for (const auto kind : k_defillama_kinds) {
        b.add(b.series("defillama", kind, "1", metric_of(kind)),
              core::from_unix_seconds(1710288000),
              1);
        b.add(b.series("defillama", kind, "2", metric_of(kind)),
              core::from_unix_seconds(1710288000),
              2);
    }
    // And the same metric under two kinds: a protocol and a chain both called hyperliquid.
    b.add(b.series("defillama", AssetKind::protocol, "hyperliquid", "TVL"),
          core::from_unix_seconds(1710288000),
          3);
    b.add(b.series("defillama", AssetKind::chain, "hyperliquid", "TVL"),
          core::from_unix_seconds(1710288000),
          4);
    store::SeriesDictionary dictionary(conn);
    const auto ids = dictionary.resolve(b);
    CHECK(std::set<int32_t>(ids.begin(), ids.end()).size() == ids.size());
    {
        db::Transaction tx(conn);
        store::PointWriter(conn).write(b, ids, store::Policy::live, 0);
        tx.commit();
    }
    CHECK(conn.exec("SELECT count(*) FROM series WHERE asset = '1'").get_int(0, 0) == 5);

    conn.exec("INSERT INTO entities (entity, source, kind, asset) VALUES "
              "('tether', 'defillama', 'stablecoin', '1'), "
              "('hl-chain', 'defillama', 'chain', 'hyperliquid')");
    for (const auto kind : k_defillama_kinds) {
        query::Filter f;
        f.kind = std::string(store::to_string(kind));
        const std::set<std::string> expected = {
            std::string(store::to_string(kind)) + "/1/" + metric_of(kind),
            std::string(store::to_string(kind)) + "/2/" + metric_of(kind)};
        const auto got = rows(conn, query::View::series, f);
        if (kind == AssetKind::protocol || kind == AssetKind::chain) {
            CHECK(got.size() == 3); // + hyperliquid
        } else {
            CHECK(got == expected);
        }
        CHECK(rows(conn, query::View::latest, f).size() == got.size());
    }
    query::Filter tether;
    tether.entity = "tether";
    CHECK(rows(conn, query::View::latest, tether) == std::set<std::string>{"1/STABLECOIN_SUPPLY"});
    CHECK(rows(conn, query::View::history, tether) == std::set<std::string>{"1/STABLECOIN_SUPPLY"});
    query::Filter chain;
    chain.entity = "hl-chain";
    CHECK(rows(conn, query::View::series, chain) == std::set<std::string>{"chain/hyperliquid/TVL"});
    query::Filter protocols;
    protocols.kind = "protocol";
    protocols.metric = "TVL";
    CHECK(rows(conn, query::View::latest, protocols)
          == std::set<std::string>{"1/TVL", "2/TVL", "hyperliquid/TVL"});
}

TEST_CASE("series kind: divergence compares an entity's own kind, not a namesake") {
    TempDb tmp;
    auto conn = tmp.connect();
    // The chain hyperliquid is the entity; the protocol hyperliquid (5x bigger) is not.
    conn.exec("INSERT INTO entities (entity, source, kind, asset) VALUES "
              "('hyperliquid', 'defillama', 'chain', 'hyperliquid'), "
              "('hyperliquid', 'artemis', 'chain', 'hyperliquid')");
    conn.exec("INSERT INTO series (source, kind, asset, metric) VALUES "
              "('defillama', 'chain', 'hyperliquid', 'CHAIN_TVL'), "
              "('defillama', 'protocol', 'hyperliquid', 'TVL'), "
              "('artemis', 'chain', 'hyperliquid', 'TVL')");
    conn.exec("INSERT INTO points (series_id, ts, value) SELECT series_id, '2024-03-13T11:00Z', "
              "CASE kind WHEN 'protocol' THEN 500 ELSE 100 END FROM series");
    const auto rules = rules::only(rules::load_rules(std::nullopt), {"source_divergence"});
    db::Transaction tx(conn);
    rules::judge_now(conn, rules, *core::parse_time("2024-03-13T12:00:00Z"));
    const auto r = conn.exec("SELECT s.kind, bool_or(firing) FROM detect_eval e JOIN series s "
                             "USING (series_id) GROUP BY 1 ORDER BY 1");
    REQUIRE(r.rows() == 1);
    CHECK(r.get(0, 0) == "chain");
    CHECK(r.get(0, 1) == "f");
}

TEST_CASE("migration 006 gives an older store's series their kinds and keeps every point") {
    TempDb tmp(false);
    auto conn = tmp.connect();
    db::apply_migrations(conn, 5);
    // What tm wrote before kinds: every source's shapes, colliding DefiLlama ids included.
    conn.exec(R"(
        INSERT INTO series (source, asset, metric) VALUES
            ('defillama', 'aave', 'TVL'), ('defillama', 'hyperliquid', 'TVL'),
            ('defillama', 'hyperliquid', 'CHAIN_TVL'), ('defillama', 'ethereum', 'CHAIN_FEES_24H'),
            ('defillama', '1', 'STABLECOIN_SUPPLY'), ('defillama', '1', 'BRIDGE_VOLUME_24H'),
            ('defillama', '1', 'BRIDGE_VOLUME_7D'), ('defillama', 'pool-1', 'APY'),
            ('defillama', 'pool-1', 'UTILIZATION'), ('defillama', 'aave', 'INFLOW'),
            ('hyperliquid', 'BTC', 'FUNDING_RATE'), ('coingecko', 'bitcoin', 'PRICE'),
            ('binance', 'BTCUSDT', 'PRICE'), ('kraken', 'XBTUSD', 'VOLUME_24H'),
            ('coinbase', 'BTC-USD', 'PRICE'), ('artemis', 'eq-nvda', 'PRICE'),
            ('artemis', 'sol', 'FEES'), ('artemis', 'tsla', 'PRICE');
        INSERT INTO assets (source, kind, asset) VALUES ('artemis', 'equity', 'tsla'),
                                                        ('artemis', 'coin', 'sol');
        INSERT INTO points (series_id, ts, value)
        SELECT series_id, '2024-01-01'::timestamptz + d * interval '1 hour', series_id * 1000 + d
          FROM series, generate_series(0, 999) d;)");
    const std::string checksum =
        "SELECT count(*), md5(string_agg(concat_ws('|', s.source, s.asset, s.metric, p.ts, "
        "p.value), ',' ORDER BY s.source, s.asset, s.metric, p.ts)) FROM points p JOIN series s "
        "USING (series_id)";
    const auto before = conn.exec(checksum);
    const auto report = db::apply_migrations(conn);
    CHECK(report.applied.front() == "006_series_kind.sql");
    const auto after = conn.exec(checksum);
    CHECK(after.get(0, 0) == before.get(0, 0));
    CHECK(after.get(0, 1) == before.get(0, 1));
    const auto kinds = conn.exec("SELECT string_agg(source || '/' || asset || '/' || metric || '=' "
                                 "|| kind, ' ' ORDER BY series_id) FROM series");
    CHECK(kinds.get(0, 0)
          == "defillama/aave/TVL=protocol defillama/hyperliquid/TVL=protocol "
             "defillama/hyperliquid/CHAIN_TVL=chain defillama/ethereum/CHAIN_FEES_24H=chain "
             "defillama/1/STABLECOIN_SUPPLY=stablecoin defillama/1/BRIDGE_VOLUME_24H=bridge "
             "defillama/1/BRIDGE_VOLUME_7D=bridge defillama/pool-1/APY=pool "
             "defillama/pool-1/UTILIZATION=pool defillama/aave/INFLOW=protocol "
             "hyperliquid/BTC/FUNDING_RATE=perp coingecko/bitcoin/PRICE=coin "
             "binance/BTCUSDT/PRICE=pair kraken/XBTUSD/VOLUME_24H=pair coinbase/BTC-USD/PRICE=pair "
             "artemis/eq-nvda/PRICE=equity artemis/sol/FEES=coin artemis/tsla/PRICE=equity");
    // The writer now finds the migrated series instead of making twins.
    store::Batch b;
    b.add(b.series("defillama", AssetKind::stablecoin, "1", "STABLECOIN_SUPPLY"),
          *core::parse_time("2025-01-01T00:00:00Z"),
          7);
    store::SeriesDictionary dictionary(conn);
    const auto ids = dictionary.resolve(b);
    CHECK(conn.exec("SELECT count(*) FROM series").get_int(0, 0) == 18);
    CHECK(conn.exec("SELECT kind FROM series WHERE series_id = $1", {std::to_string(ids[0])})
              .get(0, 0)
          == "stablecoin");
}
