// Candles and rollups (issue 16 §1, §4): what writes maintain incrementally equals what a rebuild
// from the raw points gives; retention rolls up before it removes; migration 011 keeps every
// point of an older store.
#include "temp_db.hpp"

#include <tm/jobs/chunk_writer.hpp>
#include <tm/store/compaction.hpp>
#include <tm/store/point_writer.hpp>
#include <tm/store/retention.hpp>
#include <tm/store/series_dictionary.hpp>

#include <catch2/catch.hpp>

#include <random>

namespace {

using store::AssetKind;

core::Time minute(int64_t m) {
    // 2024-02-27T00:00Z, so that the spans cross a day and a month (Feb 29 → Mar 1).
    return core::from_unix_seconds(1709078400 + m * 60);
}

void write(db::Connection& conn,
           const store::Batch& batch,
           store::Policy policy,
           store::FastPath fast = store::FastPath::allowed) {
    store::SeriesDictionary dictionary(conn);
    const auto ids = dictionary.resolve(batch);
    store::PointWriter writer(conn, fast);
    writer.prepare(batch);
    db::Transaction tx(conn);
    writer.write(batch, ids, policy, 1);
    tx.commit();
}

// The hour and day buckets of the candle series, computed from the points alone (no rollup
// involved): what the candles must hold.
constexpr const char* k_from_points = R"(
    SELECT string_agg(concat_ws('|', series_id, width, ts, first, last, min, max, sum, count),
                      ',' ORDER BY series_id, width, ts)
      FROM (SELECT p.series_id, w.width, date_trunc(w.width, p.ts, 'UTC') AS ts,
                   (array_agg(p.value ORDER BY p.ts))[1] AS first,
                   (array_agg(p.value ORDER BY p.ts DESC))[1] AS last,
                   min(p.value) AS min, max(p.value) AS max, sum(p.value::numeric) AS sum,
                   count(*) AS count
              FROM points p JOIN series s USING (series_id)
             CROSS JOIN (VALUES ('hour'), ('day')) AS w(width)
             WHERE s.candles
             GROUP BY 1, 2, 3) AS b)";

constexpr const char* k_rollups = R"(
    SELECT string_agg(concat_ws('|', series_id, width, ts, first, last, min, max, sum, count),
                      ',' ORDER BY series_id, width, ts)
      FROM rollups)";

// Seed 001's daily_ohlcv (schema/003), from the points.
constexpr const char* k_seed_ohlcv = R"(
    WITH prices AS (
        SELECT s.source, s.asset, date_trunc('day', p.ts, 'UTC') AS day,
               (array_agg(p.value ORDER BY p.ts))[1] AS open, max(p.value) AS high,
               min(p.value) AS low, (array_agg(p.value ORDER BY p.ts DESC))[1] AS close,
               count(*) AS samples
          FROM points p JOIN series s USING (series_id) WHERE s.metric = 'PRICE' GROUP BY 1, 2, 3),
    volumes AS (
        SELECT DISTINCT ON (s.source, s.asset, date_trunc('day', p.ts, 'UTC'))
               s.source, s.asset, date_trunc('day', p.ts, 'UTC') AS day, p.value AS volume
          FROM points p JOIN series s USING (series_id) WHERE s.metric = 'VOLUME_24H'
         ORDER BY s.source, s.asset, date_trunc('day', p.ts, 'UTC'), p.ts DESC)
    SELECT string_agg(concat_ws('|', source, asset, day, open, high, low, close, volume, samples),
                      ',' ORDER BY source, asset, day)
      FROM prices LEFT JOIN volumes USING (source, asset, day))";

constexpr const char* k_view_ohlcv = R"(
    SELECT string_agg(concat_ws('|', source, asset, day, open, high, low, close, volume, samples),
                      ',' ORDER BY source, asset, day)
      FROM daily_ohlcv)";

std::string one(db::Connection& conn, const char* sql) {
    const auto r = conn.exec(sql);
    return r.is_null(0, 0) ? std::string() : std::string(r.get(0, 0));
}

} // namespace

TEST_CASE("incremental candles equal rebuilt ones after a random mix of writes and deletes") {
    const unsigned seed = GENERATE(1u, 2u, 3u);
    INFO("seed " << seed);
    TempDb tmp;
    auto conn = tmp.connect();
    std::mt19937 rng(seed);
    const auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<>(lo, hi)(rng); };
    const auto value = [&] { return std::uniform_real_distribution<>(90, 110)(rng); };
    struct Key {
        const char* source;
        AssetKind kind;
        const char* asset;
        const char* metric;
    };
    const Key keys[] = {{"coingecko", AssetKind::coin, "bitcoin", "PRICE"},
                        {"coingecko", AssetKind::coin, "bitcoin", "VOLUME_24H"},
                        {"binance", AssetKind::pair, "BTCUSDT", "PRICE"},
                        {"defillama", AssetKind::protocol, "aave", "TVL"}}; // no candles
    constexpr int k_span = 4 * 24 * 60;                                     // four days of minutes
    int now = k_span / 2; // live pulls move forward from here; backfills reach before it
    for (int round = 0; round < 40; ++round) {
        store::Batch b;
        const int op = pick(0, 4);
        if (op == 0) { // a live pull: the newest minute of every series, sometimes a correction
            now = std::min(k_span - 1, now + pick(1, 90));
            for (const auto& k : keys) {
                const auto s = b.series(k.source, k.kind, k.asset, k.metric);
                b.add(s, minute(now), value());
                if (pick(0, 2) == 0) {
                    b.add(s, minute(now - pick(1, 30)), value());
                }
            }
            write(conn,
                  b,
                  store::Policy::live,
                  pick(0, 1) ? store::FastPath::allowed : store::FastPath::disabled);
        } else if (op == 1 || op == 2) { // a backfill, or its --overwrite correction
            const int from = pick(0, k_span - 400), n = pick(1, 400);
            for (const auto& k : keys) {
                const auto s = b.series(k.source, k.kind, k.asset, k.metric);
                for (int m = from; m < from + n; m += pick(1, 7)) {
                    b.add(s, minute(m), value());
                }
            }
            const auto policy = op == 1 ? store::Policy::backfill : store::Policy::overwrite;
            if (pick(0, 1) == 0) {
                write(conn, b, policy);
            } else { // the backfill's path: groups committed by the chunk writer's thread
                jobs::ChunkWriter writer(conn, "coingecko", policy, 1);
                writer.submit(std::move(b), {}, 1);
                writer.drain();
            }
        } else if (op == 3) { // a DELETE by hand
            const int from = pick(0, k_span - 200);
            conn.exec("DELETE FROM points WHERE series_id % 2 = $1 AND ts >= $2 AND ts < $3",
                      {std::to_string(pick(0, 1)),
                       core::format_iso8601(minute(from)),
                       core::format_iso8601(minute(from + pick(1, 200)))});
        } else { // a write that changes nothing
            const auto s = b.series("coingecko", AssetKind::coin, "bitcoin", "PRICE");
            const auto r = conn.exec("SELECT extract(epoch FROM ts)::bigint, value FROM metrics "
                                     "WHERE source = 'coingecko' AND metric = 'PRICE' LIMIT 5");
            for (int i = 0; i < r.rows(); ++i) {
                b.add(s, core::from_unix_seconds(r.get_int(i, 0)), r.get_double(i, 1));
            }
            write(conn, b, store::Policy::live);
        }
    }
    const std::string incremental = one(conn, k_rollups);
    REQUIRE_FALSE(incremental.empty());
    CHECK(incremental == one(conn, k_from_points));
    CHECK(one(conn, k_view_ohlcv) == one(conn, k_seed_ohlcv));

    // The repair (tm compact --rebuild-candles) puts back candles that were damaged or lost.
    conn.exec("DELETE FROM rollups WHERE ts < (SELECT avg(extract(epoch FROM ts)) FROM rollups) "
              "* interval '1 second' + 'epoch'::timestamptz");
    conn.exec("UPDATE rollups SET max = max + 1 WHERE width = 'day'");
    conn.exec("INSERT INTO rollups SELECT series_id, 'hour', '2020-01-01', 1, 1, 1, 1, 1, 1 "
              "FROM series WHERE candles");
    REQUIRE(one(conn, k_rollups) != incremental);
    CHECK(store::rebuild_candles(conn, std::nullopt) == 3);
    CHECK(one(conn, k_rollups) == incremental);
}

TEST_CASE("the candle repair of one source leaves the others' candles alone") {
    TempDb tmp;
    auto conn = tmp.connect();
    store::Batch b;
    b.add(b.series("coingecko", AssetKind::coin, "bitcoin", "PRICE"), minute(0), 1);
    b.add(b.series("binance", AssetKind::pair, "BTCUSDT", "PRICE"), minute(0), 2);
    write(conn, b, store::Policy::live);
    conn.exec("DELETE FROM rollups");
    CHECK(store::rebuild_candles(conn, std::string("binance")) == 1);
    CHECK(one(conn,
              "SELECT string_agg(DISTINCT s.source, ',') FROM rollups JOIN series s "
              "USING (series_id)")
          == "binance");
}

namespace {

// Every series' history as it was written: per series and UTC day, count, sum, min, max, first
// and last of its values. After retention the days before a horizon come from the rollups, the
// others from the points: together they must equal what was written.
constexpr const char* k_days_written = R"(
    SELECT string_agg(concat_ws('|', series_id, day, n, sum, min, max, first, last), ','
                      ORDER BY series_id, day)
      FROM (SELECT series_id, date_trunc('day', ts, 'UTC') AS day, count(*) AS n,
                   sum(value::numeric) AS sum, min(value) AS min, max(value) AS max,
                   (array_agg(value ORDER BY ts))[1] AS first,
                   (array_agg(value ORDER BY ts DESC))[1] AS last
              FROM written GROUP BY 1, 2) AS d)";

constexpr const char* k_days_kept = R"(
    SELECT string_agg(concat_ws('|', series_id, day, n, sum, min, max, first, last), ','
                      ORDER BY series_id, day)
      FROM (SELECT r.series_id, r.ts AS day, r.count AS n, r.sum, r.min, r.max, r.first, r.last
              FROM rollups r JOIN series s USING (series_id)
             WHERE r.width = 'day' AND r.ts < s.raw_since
            UNION ALL
            SELECT p.series_id, date_trunc('day', p.ts, 'UTC'), count(*), sum(p.value::numeric),
                   min(p.value), max(p.value), (array_agg(p.value ORDER BY p.ts))[1],
                   (array_agg(p.value ORDER BY p.ts DESC))[1]
              FROM points p JOIN series s USING (series_id)
             WHERE p.ts >= coalesce(s.raw_since, '-infinity') GROUP BY 1, 2) AS d)";

// Three months of 10-minute points of a price (candles), a TVL kept 30 days and a TVL kept
// forever; the copy `written` is what the checks compare with.
void fill(db::Connection& conn) {
    conn.exec(R"(
        INSERT INTO series (source, kind, asset, metric) VALUES
            ('coingecko', 'coin', 'bitcoin', 'PRICE'), ('defillama', 'protocol', 'aave', 'TVL'),
            ('defillama', 'chain', 'ethereum', 'CHAIN_TVL');
        SELECT tm_points_partitions(ARRAY['2024-01-01', '2024-02-01', '2024-03-01']::timestamptz[]);
        INSERT INTO points (series_id, ts, value)
        SELECT series_id, '2024-01-01'::timestamptz + k * interval '10 minutes',
               series_id * 100 + sin(k) * 10
          FROM series, generate_series(0, 91 * 144 - 1) k;
        SELECT tm_rollups_refresh(array_agg(series_id), array_agg('-infinity'::timestamptz),
                                  array_agg('infinity'::timestamptz)) FROM series WHERE candles;
        CREATE TABLE written AS SELECT * FROM points;)");
}

store::RetentionPolicy policy() {
    return store::parse_retention("[[retention]]\nsource = \"coingecko\"\nraw_days = 30\n"
                                  "[[retention]]\nmetric = \"TVL\"\nraw_days = 45\n",
                                  "test.toml");
}

void compact(db::Connection& conn, core::Time now) {
    store::seal(conn, store::seal_plan(conn, policy(), now));
    for (const auto& month : store::reclaimable_months(conn)) {
        REQUIRE(store::reclaim(conn, month) != store::Reclaimed::busy);
    }
}

} // namespace

TEST_CASE("retention rolls up before it frees, loses no point and is idempotent") {
    TempDb tmp;
    auto conn = tmp.connect();
    fill(conn);
    const auto now = *core::parse_time("2024-04-01T12:00:00Z");
    compact(conn, now);
    CHECK(one(conn,
              "SELECT string_agg(concat_ws('=', metric, raw_since), ' ' ORDER BY metric) "
              "FROM series")
          == "CHAIN_TVL PRICE=2024-03-02 00:00:00+00 TVL=2024-02-16 00:00:00+00"); // NULL: forever
    // Space is freed a month at a time: raw points before a horizon remain only in its month.
    CHECK(one(conn,
              "SELECT count(*) FROM points p JOIN series s USING (series_id) "
              "WHERE p.ts < date_trunc('month', s.raw_since, 'UTC')")
          == "0");
    CHECK(one(conn,
              "SELECT count(*) FROM points p JOIN series s USING (series_id) "
              "WHERE p.ts < s.raw_since")
          == "144"); // PRICE's 2024-03-01, in the month of its horizon
    CHECK(one(conn, k_days_kept) == one(conn, k_days_written));
    // January and February held points kept forever (CHAIN_TVL): rewritten, not dropped.
    CHECK(one(conn, "SELECT string_agg(part::text, ',') FROM tm_points_months()")
          == "points_2024_01,points_2024_02,points_2024_03");

    const std::string state = "SELECT md5(string_agg(concat_ws('|', series_id, width, ts, first, "
                              "last, min, max, sum, count), ',' ORDER BY series_id, width, ts)) "
                              "|| (SELECT count(*) FROM points) FROM rollups";
    const std::string before = one(conn, state.c_str());
    compact(conn, now);
    CHECK(one(conn, state.c_str()) == before);
    CHECK(store::seal_plan(conn, policy(), now).empty());
    CHECK(store::reclaimable_months(conn).empty());

    // A write into the past of a horizon stores nothing there (its rollups are final).
    store::Batch b;
    b.add(b.series("coingecko", AssetKind::coin, "bitcoin", "PRICE"),
          *core::parse_time("2024-01-05T00:00:00Z"),
          1e9);
    write(conn, b, store::Policy::overwrite);
    CHECK(one(conn, state.c_str()) == before);
}

TEST_CASE("retention drops a month whose every point is rolled up") {
    TempDb tmp;
    auto conn = tmp.connect();
    fill(conn);
    conn.exec("DELETE FROM points WHERE series_id = (SELECT series_id FROM series WHERE metric = "
              "'CHAIN_TVL')");
    conn.exec("DELETE FROM written WHERE series_id = (SELECT series_id FROM series WHERE metric = "
              "'CHAIN_TVL')");
    compact(conn, *core::parse_time("2024-04-01T12:00:00Z"));
    CHECK(one(conn, "SELECT string_agg(part::text, ',') FROM tm_points_months()")
          == "points_2024_02,points_2024_03");
    CHECK(one(conn, k_days_kept) == one(conn, k_days_written));
}

TEST_CASE("migration 011 partitions an older store's points without losing one") {
    TempDb tmp(false);
    auto conn = tmp.connect();
    db::apply_migrations(conn, 9);
    conn.exec(R"(
        INSERT INTO series (source, kind, asset, metric) VALUES
            ('coingecko', 'coin', 'bitcoin', 'PRICE'), ('defillama', 'protocol', 'aave', 'TVL');
        INSERT INTO points (series_id, ts, value, pull_id)
        SELECT series_id, '2023-11-20'::timestamptz + k * interval '37 minutes', k * 1.5, k % 7
          FROM series, generate_series(0, 5000) k;)");
    const char* checksum = "SELECT count(*) || ' ' || md5(string_agg(concat_ws('|', series_id, ts, "
                           "value, pull_id), ',' ORDER BY series_id, ts)) FROM points";
    const std::string before = one(conn, checksum);
    const auto report = db::apply_migrations(conn);
    REQUIRE(report.applied.size() == 3);
    CHECK(report.applied[0] == "010_rollups.sql");
    CHECK(report.applied[1] == "011_points_partitions.sql");
    CHECK(report.applied[2] == "012_partition_maker_lock.sql");
    CHECK(one(conn, checksum) == before);
    CHECK(one(conn, "SELECT count(*) FROM ONLY points_default") == "0");
    CHECK(one(conn, "SELECT count(*) FROM tm_points_months()") == "5"); // Nov 2023 to Mar 2024
    // The candles of the stored prices were built by the migration.
    CHECK(one(conn, k_rollups) == one(conn, k_from_points));
}
