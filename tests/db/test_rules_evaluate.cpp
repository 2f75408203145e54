// Each shipped rule fires at its boundary and not just short of it, judged in SQL by a real
// server; and the alert lifecycle opens, refreshes and resolves exactly once.
#include "temp_db.hpp"

#include <tm/rules/evaluate.hpp>
#include <tm/rules/lifecycle.hpp>
#include <tm/rules/rules_file.hpp>
#include <tm/sources/defillama/families.hpp>

#include <catch2/catch.hpp>

#include <map>
#include <utility>
#include <vector>

namespace {

const std::string k_now = "2024-03-13T12:00:00Z";

// Adds points to series (source, asset, metric), creating it if needed.
// The kind tm's parsers give the series of `source` and `metric`.
std::string kind_of(const std::string& source, const std::string& metric) {
    if (source == "defillama") {
        return std::string(store::to_string(sources::defillama::kind_of(metric)));
    }
    return source == "hyperliquid"                                             ? "perp"
           : source == "binance" || source == "kraken" || source == "coinbase" ? "pair"
                                                                               : "coin";
}

void seed(db::Connection& conn,
          const std::string& source,
          const std::string& asset,
          const std::string& metric,
          const std::vector<std::pair<std::string, double>>& points) {
    conn.exec("INSERT INTO series (source, kind, asset, metric) VALUES ($1, $4, $2, $3) ON "
              "CONFLICT DO NOTHING",
              {source, asset, metric, kind_of(source, metric)});
    for (const auto& [ts, value] : points) {
        conn.exec("INSERT INTO points (series_id, ts, value) SELECT series_id, $4, $5 FROM series "
                  "WHERE source = $1 AND asset = $2 AND metric = $3",
                  {source, asset, metric, ts, fmt::format("{}", value)});
    }
}

// `n` points of `value` every `step` ending just before `end` (SQL interval text).
void seed_series(db::Connection& conn,
                 const std::string& source,
                 const std::string& asset,
                 const std::string& metric,
                 const std::string& from,
                 const std::string& to,
                 const std::string& step,
                 const std::string& value_sql) {
    conn.exec("INSERT INTO series (source, kind, asset, metric) VALUES ($1, $4, $2, $3) ON "
              "CONFLICT DO NOTHING",
              {source, asset, metric, kind_of(source, metric)});
    conn.exec(fmt::format("INSERT INTO points (series_id, ts, value) SELECT s.series_id, t, {} "
                          "FROM series s, generate_series($4::timestamptz, $5::timestamptz, "
                          "$6::interval) WITH ORDINALITY AS g(t, i) "
                          "WHERE s.source = $1 AND s.asset = $2 AND s.metric = $3",
                          value_sql),
              {source, asset, metric, from, to, step});
}

// Judges the shipped rule `name` as of k_now: target → firing, for every judged target.
std::map<std::string, bool> judge(db::Connection& conn, const std::vector<rules::Rule>& rules) {
    db::Transaction tx(conn);
    rules::judge_now(conn, rules, *core::parse_time(k_now));
    const auto r = conn.exec("SELECT coalesce(s.source || '/' || s.asset || '/' || s.metric || "
                             "coalesce(' vs ' || e.subject, ''), e.subject), e.firing "
                             "FROM detect_eval e LEFT JOIN series s USING (series_id)");
    std::map<std::string, bool> out;
    for (int i = 0; i < r.rows(); ++i) {
        out[std::string(r.get(i, 0))] = r.get(i, 1) == "t";
    }
    return out;
}

std::map<std::string, bool> judge(db::Connection& conn, const std::string& name) {
    return judge(conn, rules::only(rules::load_rules(std::nullopt), {name}));
}

} // namespace

TEST_CASE("rule tvl_drop: down 20% vs 24 h earlier fires, 19.99% does not, no history is silent") {
    TempDb tmp;
    auto conn = tmp.connect();
    seed(conn, "defillama", "at", "TVL", {{"2024-03-12T12:00:00Z", 100}, {k_now, 80}});
    seed(conn, "defillama", "short", "TVL", {{"2024-03-12T12:00:00Z", 100}, {k_now, 80.01}});
    seed(conn, "defillama", "arbitrum", "CHAIN_TVL", {{"2024-03-12T11:00:00Z", 200}, {k_now, 100}});
    seed(conn, "defillama", "new", "TVL", {{"2024-03-12T13:00:00Z", 100}, {k_now, 10}});
    const auto j = judge(conn, "tvl_drop");
    CHECK(j.at("defillama/at/TVL"));
    CHECK_FALSE(j.at("defillama/short/TVL"));
    CHECK(j.at("defillama/arbitrum/CHAIN_TVL"));
    CHECK_FALSE(j.contains("defillama/new/TVL")); // nothing 24 h back: silent, not wrong
}

TEST_CASE("rule apy_low: APY below 1% fires only for pools with POOL_TVL of at least $1M") {
    TempDb tmp;
    auto conn = tmp.connect();
    for (const auto& [pool, apy, tvl] : {std::tuple{"at", 1.0, 2e6},
                                         std::tuple{"below", 0.99, 2e6},
                                         std::tuple{"small", 0.5, 999'999.0},
                                         std::tuple{"gate_edge", 0.5, 1e6}}) {
        seed(conn, "defillama", pool, "APY", {{k_now, apy}});
        seed(conn, "defillama", pool, "POOL_TVL", {{k_now, tvl}});
    }
    seed(conn, "defillama", "no_tvl", "APY", {{k_now, 0.1}});
    const auto j = judge(conn, "apy_low");
    CHECK_FALSE(j.at("defillama/at/APY"));
    CHECK(j.at("defillama/below/APY"));
    CHECK_FALSE(j.at("defillama/small/APY"));
    CHECK(j.at("defillama/gate_edge/APY"));
    CHECK_FALSE(j.contains("defillama/no_tvl/APY"));
}

TEST_CASE("rule utilization_high: 0.90 fires, 0.8999 does not") {
    TempDb tmp;
    auto conn = tmp.connect();
    seed(conn, "defillama", "at", "UTILIZATION", {{k_now, 0.90}});
    seed(conn, "defillama", "below", "UTILIZATION", {{k_now, 0.8999}});
    seed(conn, "defillama", "old", "UTILIZATION", {{"2024-03-10T00:00:00Z", 0.99}});
    const auto j = judge(conn, "utilization_high");
    CHECK(j.at("defillama/at/UTILIZATION"));
    CHECK_FALSE(j.at("defillama/below/UTILIZATION"));
    CHECK_FALSE(j.contains("defillama/old/UTILIZATION")); // older than max_age: not judged
}

TEST_CASE("rule price_deviation: more than 2% off the previous five-minute mean") {
    TempDb tmp;
    auto conn = tmp.connect();
    for (const auto& [asset, last] :
         {std::pair{"at", 102.0}, std::pair{"over", 102.01}, std::pair{"down", 97.99}}) {
        seed_series(conn,
                    "coingecko",
                    asset,
                    "PRICE",
                    "2024-03-13T11:55:00Z",
                    "2024-03-13T11:59:00Z",
                    "1 minute",
                    "100");
        seed(conn, "coingecko", asset, "PRICE", {{k_now, last}});
    }
    seed_series(conn,
                "binance",
                "BTCUSDT",
                "VOLUME_24H",
                "2024-03-13T11:55:00Z",
                "2024-03-13T11:59:00Z",
                "1 minute",
                "1000");
    seed(conn, "binance", "BTCUSDT", "VOLUME_24H", {{k_now, 1030}});
    seed(conn, "coingecko", "lonely", "PRICE", {{"2024-03-13T11:00:00Z", 1}, {k_now, 100}});
    const auto j = judge(conn, "price_deviation");
    CHECK_FALSE(j.at("coingecko/at/PRICE"));
    CHECK(j.at("coingecko/over/PRICE"));
    CHECK(j.at("coingecko/down/PRICE"));
    CHECK(j.at("binance/BTCUSDT/VOLUME_24H"));
    CHECK_FALSE(j.contains("coingecko/lonely/PRICE")); // no point in the previous 5 minutes
}

TEST_CASE("rule funding_extreme: abs(rate) of 0.001 fires either way, 0.000999 does not") {
    TempDb tmp;
    auto conn = tmp.connect();
    seed(conn, "hyperliquid", "NEG", "FUNDING_RATE", {{k_now, -0.001}});
    seed(conn, "hyperliquid", "POS", "FUNDING_RATE", {{k_now, 0.001}});
    seed(conn, "hyperliquid", "CALM", "FUNDING_RATE", {{k_now, 0.000999}});
    const auto j = judge(conn, "funding_extreme");
    CHECK(j.at("hyperliquid/NEG/FUNDING_RATE"));
    CHECK(j.at("hyperliquid/POS/FUNDING_RATE"));
    CHECK_FALSE(j.at("hyperliquid/CALM/FUNDING_RATE"));
}

TEST_CASE("rule stale_feed: newest point older than 3x the schedule, or 3 failed pulls") {
    TempDb tmp;
    auto conn = tmp.connect();
    seed(conn, "defillama", "aave", "TVL", {{"2024-03-13T09:00:00Z", 1}});           // exactly 3 h
    seed(conn, "hyperliquid", "BTC", "FUNDING_RATE", {{"2024-03-13T08:59:59Z", 1}}); // 3 h 1 s
    seed(conn, "artemis", "eth", "FEES", {{"2024-03-13T00:00:00Z", 1}});
    seed(conn, "coingecko", "bitcoin", "PRICE", {{"2024-03-13T11:59:00Z", 1}});
    const auto pull =
        [&](const std::string& source, const std::string& status, const std::string& at) {
            conn.exec(
                "INSERT INTO pulls (source, kind, status, started_at) VALUES ($1, 'pull', $2, $3)",
                {source, status, at});
        };
    for (const auto* at :
         {"2024-03-12T00:05:00Z", "2024-03-13T00:05:00Z", "2024-03-13T01:05:00Z"}) {
        pull("artemis", "failed", at);
    }
    pull("coingecko", "ok", "2024-03-13T11:57:00Z");
    pull("coingecko", "failed", "2024-03-13T11:58:00Z");
    pull("coingecko", "failed", "2024-03-13T11:59:00Z");
    pull("coingecko", "running", "2024-03-13T11:59:30Z");
    const auto j = judge(conn, "stale_feed");
    CHECK_FALSE(j.at("defillama"));
    CHECK(j.at("hyperliquid"));
    CHECK(j.at("artemis"));
    CHECK_FALSE(j.at("coingecko"));
    CHECK_FALSE(j.contains("binance")); // never pulled: nothing to judge
}

TEST_CASE("rule outlier: robust z-score of 6 against 30 days, silent with too few points") {
    TempDb tmp;
    auto conn = tmp.connect();
    // 30 daily values alternating 99 and 101: median 100, MAD 1, so z = 6 at 108.8956.
    for (const auto& [asset, last] : {std::pair{"calm", 108.89}, std::pair{"spike", 108.90}}) {
        seed_series(conn,
                    "defillama",
                    asset,
                    "TVL",
                    "2024-02-12T12:00:00Z",
                    "2024-03-12T12:00:00Z",
                    "1 day",
                    "CASE WHEN i % 2 = 0 THEN 99 ELSE 101 END");
        seed(conn, "defillama", asset, "TVL", {{k_now, last}});
    }
    seed_series(conn,
                "defillama",
                "young",
                "TVL",
                "2024-03-03T12:00:00Z",
                "2024-03-12T12:00:00Z",
                "1 day",
                "CASE WHEN i % 2 = 0 THEN 99 ELSE 101 END");
    seed(conn, "defillama", "young", "TVL", {{k_now, 1000}});
    const auto j = judge(conn, "outlier");
    CHECK_FALSE(j.at("defillama/calm/TVL"));
    CHECK(j.at("defillama/spike/TVL"));
    CHECK_FALSE(j.contains("defillama/young/TVL")); // 10 points < min_points 20
}

TEST_CASE("rule outlier on a minute feed: the newest 1000 points of the window are the baseline") {
    TempDb tmp;
    auto conn = tmp.connect();
    // 30 days of minutes at 500, then the last 1000 minutes alternating 99 and 101 (median 100,
    // MAD 1): judged on those, 108.9 is 6.0 robust z out. Over all 43,200 points the median
    // would be 500 and the MAD 0, which judges nothing.
    seed_series(
        conn,
        "coingecko",
        "bitcoin",
        "PRICE",
        "2024-02-12T12:00:00Z",
        "2024-03-13T11:59:00Z",
        "1 minute",
        "CASE WHEN t < '2024-03-12T19:20:00Z' THEN 500 WHEN i % 2 = 0 THEN 99 ELSE 101 END");
    seed(conn, "coingecko", "bitcoin", "PRICE", {{k_now, 108.9}});
    CHECK(conn.exec("SELECT count(*) FROM points WHERE ts >= '2024-03-12T19:20:00Z' AND ts < $1",
                    {k_now})
              .get_int(0, 0)
          == 1000);
    CHECK(judge(conn, "outlier").at("coingecko/bitcoin/PRICE"));
}

TEST_CASE("rule deviation: max_points bounds the window's points that make the mean") {
    TempDb tmp;
    auto conn = tmp.connect();
    seed(conn,
         "binance",
         "BTCUSDT",
         "PRICE",
         {{"2024-03-13T11:55:00Z", 1},
          {"2024-03-13T11:56:00Z", 1},
          {"2024-03-13T11:57:00Z", 10},
          {"2024-03-13T11:58:00Z", 10},
          {"2024-03-13T11:59:00Z", 10},
          {k_now, 10.1}});
    const auto with_cap = [](const std::string& cap) {
        return rules::parse_rules(
            "[[rule]]\nname = \"d\"\nkind = \"deviation\"\nmetric = \"PRICE\"\nwindow = "
            "\"10m\"\nthreshold = 0.05\n"
                + cap,
            "r.toml");
    };
    // The mean of the last 3 is 10: 1% off. Of all 5 it is 6.4: 58% off.
    CHECK_FALSE(judge(conn, with_cap("max_points = 3\n")).at("binance/BTCUSDT/PRICE"));
    CHECK(judge(conn, with_cap("")).at("binance/BTCUSDT/PRICE"));
}

TEST_CASE("rule source_divergence: one entity's metric family more than 25% apart") {
    TempDb tmp;
    auto conn = tmp.connect();
    conn.exec(
        "INSERT INTO entities (entity, source, kind, asset) VALUES "
        "('bitcoin', 'coingecko', 'coin', 'bitcoin'), ('bitcoin', 'binance', 'pair', 'BTCUSDT'), "
        "('ethereum', 'coingecko', 'coin', 'ethereum'), ('ethereum', 'binance', 'pair', "
        "'ETHUSDT'), "
        "('solana', 'artemis', 'coin', 'sol'), ('solana', 'defillama', 'chain', 'solana')");
    seed(conn, "coingecko", "bitcoin", "PRICE", {{k_now, 100}});
    seed(conn, "binance", "BTCUSDT", "PRICE", {{"2024-03-13T11:59:00Z", 125}});
    seed(conn, "coingecko", "ethereum", "PRICE", {{k_now, 100}});
    seed(conn, "binance", "ETHUSDT", "PRICE", {{k_now, 125.01}});
    // Families: Artemis FEES against DefiLlama CHAIN_FEES_24H, a day apart.
    seed(conn, "artemis", "sol", "FEES", {{"2024-03-12T00:00:00Z", 100}});
    seed(conn, "defillama", "solana", "CHAIN_FEES_24H", {{"2024-03-13T00:00:00Z", 200}});
    const auto j = judge(conn, "source_divergence");
    CHECK_FALSE(j.at("binance/BTCUSDT/PRICE vs coingecko/bitcoin/PRICE"));
    CHECK(j.at("binance/ETHUSDT/PRICE vs coingecko/ethereum/PRICE"));
    CHECK(j.at("artemis/sol/FEES vs defillama/solana/CHAIN_FEES_24H"));
    CHECK(j.size() == 3);
}

TEST_CASE("alert lifecycle: opens once, changes nothing on the same data, resolves, reopens") {
    TempDb tmp;
    auto conn = tmp.connect();
    const auto rules = rules::only(rules::load_rules(std::nullopt), {"tvl_drop"});
    const auto run = [&](const std::string& now) {
        db::Transaction tx(conn);
        rules::judge_now(conn, rules, *core::parse_time(now));
        auto applied = rules::apply(conn);
        tx.commit();
        return applied;
    };
    const auto alerts = [&] {
        return std::string(
            conn.exec("SELECT string_agg(status || ' ' || value || ' ' || last_seen_at, '; ' "
                      "ORDER BY alert_id) FROM alerts")
                .get(0, 0));
    };
    seed_series(conn,
                "defillama",
                "aave",
                "TVL",
                "2024-03-12T00:00:00Z",
                "2024-03-13T09:00:00Z",
                "1 hour",
                "100");
    seed(conn, "defillama", "aave", "TVL", {{"2024-03-13T10:00:00Z", 75}});

    auto first = run("2024-03-13T10:00:00Z");
    REQUIRE(first.events.size() == 1);
    CHECK(first.events[0].event == "opened");
    CHECK(first.events[0].target() == "defillama/aave/TVL");
    CHECK(first.events[0].value == 75);
    CHECK(first.events[0].baseline == 100);
    CHECK(first.events[0].at == "2024-03-13T10:00:00Z");
    const auto after_first = alerts();

    auto again = run("2024-03-13T10:30:00Z"); // same data, later clock
    CHECK(again.events.empty());
    CHECK(again.refreshed == 0);
    CHECK(alerts() == after_first);

    seed(conn, "defillama", "aave", "TVL", {{"2024-03-13T11:00:00Z", 70}}); // still down
    auto refreshed = run("2024-03-13T11:00:00Z");
    CHECK(refreshed.events.empty());
    CHECK(refreshed.refreshed == 1);
    CHECK(std::string(conn.exec("SELECT value FROM alerts").get(0, 0)) == "70");

    seed(conn, "defillama", "aave", "TVL", {{"2024-03-13T12:00:00Z", 99}}); // recovered
    auto resolved = run("2024-03-13T12:00:00Z");
    REQUIRE(resolved.events.size() == 1);
    CHECK(resolved.events[0].event == "resolved");
    CHECK(resolved.events[0].at == "2024-03-13T12:00:00Z");
    CHECK(resolved.open == 0);

    seed(conn, "defillama", "aave", "TVL", {{"2024-03-13T13:00:00Z", 60}}); // drops again
    auto reopened = run("2024-03-13T13:00:00Z");
    REQUIRE(reopened.events.size() == 1);
    CHECK(reopened.events[0].event == "opened");
    CHECK(conn.exec("SELECT count(*) FROM alerts").get_int(0, 0) == 2);

    // Data too old to judge leaves the open alert alone instead of resolving it.
    auto later = run("2024-03-20T00:00:00Z");
    CHECK(later.events.empty());
    CHECK(later.open == 1);
    CHECK(rules::pending_events(conn).size() == 3); // opened, resolved, opened: none notified
}

TEST_CASE("backtest: episodes from history, alerts table untouched") {
    TempDb tmp;
    auto conn = tmp.connect();
    seed_series(conn,
                "defillama",
                "aave",
                "TVL",
                "2024-03-10T00:00:00Z",
                "2024-03-13T00:00:00Z",
                "1 hour",
                "CASE WHEN i BETWEEN 40 AND 42 THEN 50 ELSE 100 END");
    const auto rules = rules::only(rules::load_rules(std::nullopt), {"tvl_drop"});
    db::Transaction tx(conn);
    const auto judged = rules::judge_history(conn,
                                             rules,
                                             *core::parse_time("2024-03-10T00:00:00Z"),
                                             *core::parse_time("2024-03-14T00:00:00Z"));
    CHECK(judged.firing == 3);
    char* buffer = nullptr;
    size_t size = 0;
    std::FILE* out = open_memstream(&buffer, &size);
    CHECK(rules::write_episodes(conn, report::Format::csv, out) == 1);
    std::fclose(out);
    const std::string csv(buffer, size);
    std::free(buffer);
    // Points 40-42 (from 1) are 2024-03-11T15:00..17:00; the first at 100 again resolves it.
    CHECK(csv.find(
              "tvl_drop,critical,defillama/aave/TVL,2024-03-11T15:00:00Z,2024-03-11T18:00:00Z,3,")
          != std::string::npos);
    CHECK(conn.exec("SELECT count(*) FROM alerts").get_int(0, 0) == 0);
}
