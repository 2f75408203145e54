#include "temp_db.hpp"

#include <tm/store/point_writer.hpp>
#include <tm/store/series_dictionary.hpp>

#include <catch2/catch.hpp>

namespace {

core::Time t(int64_t seconds) {
    return core::from_unix_seconds(seconds);
}

store::WriteCounts
write(db::Connection& conn, store::Batch& batch, store::Policy policy, int64_t pull_id = 1) {
    store::SeriesDictionary dictionary(conn);
    const auto ids = dictionary.resolve(batch);
    db::Transaction tx(conn);
    store::PointWriter writer(conn);
    const auto counts = writer.write(batch, ids, policy, pull_id);
    tx.commit();
    return counts;
}

double stored(db::Connection& conn, const char* asset, int64_t ts) {
    const auto r = conn.exec("SELECT value FROM metrics WHERE asset = $1 AND ts = to_timestamp($2)",
                             {std::string(asset), std::to_string(ts)});
    REQUIRE(r.rows() == 1);
    return r.get_double(0, 0);
}

} // namespace

TEST_CASE("live policy: insert, then unchanged, then update only what differs") {
    TempDb tmp;
    auto conn = tmp.connect();
    store::Batch b;
    const auto a = b.series("src", store::AssetKind::protocol, "a", "TVL", "usd");
    const auto c = b.series("src", store::AssetKind::protocol, "c", "TVL", "usd");
    b.add(a, t(3600), 1.5);
    b.add(a, t(7200), 2.5);
    b.add(c, t(3600), 10);

    auto first = write(conn, b, store::Policy::live);
    CHECK(first.inserted == 3);
    CHECK(first.updated == 0);

    auto again = write(conn, b, store::Policy::live);
    CHECK(again.inserted == 0);
    CHECK(again.updated == 0);
    CHECK(again.unchanged == 3);

    store::Batch changed;
    changed.add(
        changed.series("src", store::AssetKind::protocol, "a", "TVL", "usd"), t(7200), 2.75);
    changed.add(changed.series("src", store::AssetKind::protocol, "c", "TVL", "usd"), t(3600), 10);
    changed.add(changed.series("src", store::AssetKind::protocol, "c", "TVL", "usd"), t(10800), 11);
    auto third = write(conn, changed, store::Policy::live, 2);
    CHECK(third.inserted == 1);
    CHECK(third.updated == 1);
    CHECK(third.unchanged == 1);
    CHECK(stored(conn, "a", 7200) == 2.75);
    CHECK(conn.exec("SELECT pull_id FROM metrics WHERE asset = 'a' AND ts = to_timestamp(7200)")
              .get_int(0, 0)
          == 2);
    // An unchanged value keeps the pull that wrote it.
    CHECK(conn.exec("SELECT pull_id FROM metrics WHERE asset = 'c' AND ts = to_timestamp(3600)")
              .get_int(0, 0)
          == 1);
    CHECK(conn.exec("SELECT count(*) FROM points").get_int(0, 0) == 4);
}

TEST_CASE("backfill policy never overwrites; overwrite policy does") {
    TempDb tmp;
    auto conn = tmp.connect();
    store::Batch live;
    live.add(live.series("src", store::AssetKind::protocol, "a", "TVL"), t(86400), 100);
    write(conn, live, store::Policy::live);

    store::Batch history;
    const auto s = history.series("src", store::AssetKind::protocol, "a", "TVL");
    history.add(s, t(0), 90);
    history.add(s, t(86400), 99); // the live value for this day must survive
    const auto counts = write(conn, history, store::Policy::backfill);
    CHECK(counts.inserted == 1);
    CHECK(counts.unchanged == 1);
    CHECK(stored(conn, "a", 86400) == 100);

    const auto corrected = write(conn, history, store::Policy::overwrite);
    CHECK(corrected.updated == 1);
    CHECK(stored(conn, "a", 86400) == 99);
}

TEST_CASE("a batch holding the same point twice writes the later value once") {
    TempDb tmp;
    auto conn = tmp.connect();
    store::Batch b;
    const auto s = b.series("src", store::AssetKind::protocol, "a", "TVL");
    b.add(s, t(60), 1);
    b.add(s, t(60), 2);
    SECTION("into an empty table (fast path)") {
        const auto counts = write(conn, b, store::Policy::live);
        CHECK(counts.seen == 2);
        CHECK(counts.duplicates == 1);
        CHECK(counts.inserted == 1);
        CHECK(stored(conn, "a", 60) == 2);
    }
    SECTION("over stored points (staged path)") {
        store::Batch first;
        first.add(first.series("src", store::AssetKind::protocol, "a", "TVL"), t(60), 0);
        write(conn, first, store::Policy::live);
        const auto counts = write(conn, b, store::Policy::live);
        CHECK(counts.duplicates == 1);
        CHECK(counts.updated == 1);
        CHECK(stored(conn, "a", 60) == 2);
    }
}

TEST_CASE("the fast path is taken only when no stored point overlaps the batch") {
    TempDb tmp;
    auto conn = tmp.connect();
    store::SeriesDictionary dictionary(conn);
    store::PointWriter writer(conn);
    store::Batch b;
    const auto s = b.series("src", store::AssetKind::protocol, "a", "TVL");
    b.add(s, t(100), 1);
    b.add(s, t(200), 2);
    auto ids = dictionary.resolve(b);
    {
        db::Transaction tx(conn);
        writer.write(b, ids, store::Policy::live, 1);
        tx.commit();
    }
    CHECK(writer.fast_path_writes() == 1);

    store::Batch later;
    later.add(later.series("src", store::AssetKind::protocol, "a", "TVL"),
              t(300),
              3); // after the stored range: fast
    ids = dictionary.resolve(later);
    {
        db::Transaction tx(conn);
        CHECK(writer.write(later, ids, store::Policy::live, 2).inserted == 1);
        tx.commit();
    }
    CHECK(writer.fast_path_writes() == 2);

    store::Batch around;
    const auto s2 = around.series("src", store::AssetKind::protocol, "a", "TVL");
    around.add(s2, t(50), 0);
    around.add(s2, t(400), 4); // the range [50, 400] holds stored points: staged
    ids = dictionary.resolve(around);
    {
        db::Transaction tx(conn);
        const auto counts = writer.write(around, ids, store::Policy::live, 3);
        CHECK(counts.inserted == 2);
        tx.commit();
    }
    CHECK(writer.fast_path_writes() == 2);
    CHECK(conn.exec("SELECT count(*) FROM points").get_int(0, 0) == 5);
}

TEST_CASE("a rolled-back write leaves no points behind") {
    TempDb tmp;
    auto conn = tmp.connect();
    store::Batch b;
    b.add(b.series("src", store::AssetKind::protocol, "a", "TVL"), t(60), 1);
    store::SeriesDictionary dictionary(conn);
    const auto ids = dictionary.resolve(b);
    {
        db::Transaction tx(conn);
        store::PointWriter writer(conn);
        CHECK(writer.write(b, ids, store::Policy::live, 1).inserted == 1);
        // no commit: the transaction rolls back here
    }
    CHECK(conn.exec("SELECT count(*) FROM points").get_int(0, 0) == 0);
    // The series dictionary commits on its own, so cached ids stay valid for a retry.
    CHECK(conn.exec("SELECT count(*) FROM series").get_int(0, 0) == 1);
    CHECK(write(conn, b, store::Policy::live).inserted == 1);
}

TEST_CASE("values round-trip exactly, timestamps keep microseconds") {
    TempDb tmp;
    auto conn = tmp.connect();
    store::Batch b;
    const auto s = b.series("src", store::AssetKind::protocol, "a", "X");
    b.add(s, core::Time{core::Duration{1739124299123456}}, 0.1 + 0.2);
    b.add(s, t(-86400), -1e-300);
    write(conn, b, store::Policy::live);
    const auto r = conn.exec(
        "SELECT value::text, to_char(ts, 'YYYY-MM-DD HH24:MI:SS.US') FROM points ORDER BY ts DESC");
    CHECK(r.get(0, 0) == "0.30000000000000004");
    CHECK(r.get(0, 1) == "2025-02-09 18:04:59.123456");
    CHECK(r.get(1, 0) == "-1e-300");
    CHECK(r.get(1, 1) == "1969-12-31 00:00:00.000000");
}

TEST_CASE("series dictionary creates each series once, across connections") {
    TempDb tmp;
    auto one = tmp.connect();
    auto two = tmp.connect();
    store::Batch b;
    b.series("src", store::AssetKind::protocol, "a", "TVL", "usd");
    b.series("src", store::AssetKind::protocol, "b\"quoted,comma\\", "TVL", "usd");
    store::SeriesDictionary d1(one), d2(two);
    const auto ids1 = d1.resolve(b);
    const auto ids2 = d2.resolve(b);
    CHECK(ids1 == ids2);
    CHECK(one.exec("SELECT count(*) FROM series").get_int(0, 0) == 2);
    CHECK(one.exec("SELECT asset FROM series WHERE series_id = $1", {std::to_string(ids1[1])})
              .get(0, 0)
          == "b\"quoted,comma\\");
}
