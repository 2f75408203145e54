#include "temp_db.hpp"

#include <catch2/catch.hpp>

TEST_CASE("migrations create every table and view and are idempotent") {
    TempDb tmp;
    auto conn = tmp.connect();
    for (const char* relation : {"series",
                                 "points",
                                 "assets",
                                 "entities",
                                 "pulls",
                                 "pull_errors",
                                 "backfill_progress",
                                 "alerts",
                                 "metrics",
                                 "latest",
                                 "schema_migrations"}) {
        INFO(relation);
        CHECK(conn.exec("SELECT to_regclass($1) IS NOT NULL", {std::string(relation)}).get(0, 0)
              == "t");
    }
    const auto report = db::apply_migrations(conn);
    CHECK(report.applied.empty());
    CHECK(report.already_applied == static_cast<int>(db::embedded_migrations().size()));
    CHECK(conn.exec("SELECT count(*) FROM schema_migrations").get_int(0, 0)
          == static_cast<long long>(db::embedded_migrations().size()));
    CHECK_NOTHROW(db::require_schema(conn));
}

TEST_CASE("points keys follow ARCHITECTURE §3") {
    TempDb tmp;
    auto conn = tmp.connect();
    const auto pk = conn.exec("SELECT pg_get_constraintdef(oid) FROM pg_constraint "
                              "WHERE conrelid = 'points'::regclass AND contype = 'p'");
    CHECK(pk.get(0, 0) == "PRIMARY KEY (series_id, ts)");
    const auto unique = conn.exec("SELECT pg_get_constraintdef(oid) FROM pg_constraint "
                                  "WHERE conrelid = 'series'::regclass AND contype = 'u'");
    CHECK(unique.get(0, 0) == "UNIQUE (source, kind, asset, metric)");
}

TEST_CASE("an edited migration is refused instead of silently diverging") {
    TempDb tmp;
    auto conn = tmp.connect();
    conn.exec("UPDATE schema_migrations SET checksum = 'edited' WHERE version = 1");
    CHECK_THROWS_WITH(db::apply_migrations(conn), Catch::Contains("changed after it was applied"));
}

TEST_CASE("require_schema tells the user to run tm setup on an empty database") {
    TempDb tmp;
    auto conn = tmp.connect();
    conn.exec("DROP TABLE schema_migrations");
    CHECK_THROWS_AS(db::require_schema(conn), core::UsageError);
    CHECK_THROWS_WITH(db::require_schema(conn), Catch::Contains("tm setup"));
}
