// The scale-out plan of the README ("Past one machine") holds as migrations are added: Citus
// distributes points by series_id, which it can only do when every unique key of points and
// every foreign key that involves points contains series_id.
#include "temp_db.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

namespace {

// Primary, unique and exclusion constraints and unique indexes of points (and of its partitions
// or chunks, if it has any), foreign keys from it and to it: those whose columns on the points
// side leave out series_id.
std::vector<std::string> keys_without_series_id(db::Connection& conn) {
    const auto r = conn.exec(R"(
        WITH RECURSIVE tree AS (
            SELECT 'points'::regclass::oid AS rel
            UNION ALL
            SELECT i.inhrelid FROM pg_inherits i JOIN tree ON i.inhparent = tree.rel),
        keys AS (
            SELECT format('constraint %s on %s', c.conname, c.conrelid::regclass) AS what,
                   c.conrelid AS rel, c.conkey AS cols
              FROM pg_constraint c
             WHERE c.conrelid IN (SELECT rel FROM tree) AND c.contype IN ('p', 'u', 'x', 'f')
            UNION ALL
            SELECT format('foreign key %s of %s', c.conname, c.conrelid::regclass), c.confrelid,
                   c.confkey
              FROM pg_constraint c
             WHERE c.confrelid IN (SELECT rel FROM tree) AND c.contype = 'f'
            UNION ALL
            SELECT format('unique index %s', i.indexrelid::regclass), i.indrelid,
                   i.indkey::int2[]
              FROM pg_index i
             WHERE i.indrelid IN (SELECT rel FROM tree) AND i.indisunique)
        SELECT what FROM keys k
         WHERE NOT EXISTS (SELECT 1 FROM pg_attribute a
                            WHERE a.attrelid = k.rel AND a.attname = 'series_id'
                              AND a.attnum = ANY (k.cols))
         ORDER BY 1)");
    std::vector<std::string> out;
    for (int i = 0; i < r.rows(); ++i) {
        out.emplace_back(r.get(i, 0));
    }
    return out;
}

} // namespace

TEST_CASE("every unique and foreign key involving points contains series_id (Citus)") {
    TempDb tmp;
    auto conn = tmp.connect();
    CHECK(keys_without_series_id(conn).empty());
    // What there is to check: the key and the reference to series.
    CHECK(conn.exec("SELECT count(*) FROM pg_constraint WHERE conrelid = 'points'::regclass AND "
                    "contype IN ('p', 'f')")
              .get_int(0, 0)
          == 2);

    // The check finds the keys that would break the plan, on points and on a child of it.
    db::Transaction tx(conn);
    // points is partitioned (migration 011): the child is a partition; ON ONLY keeps the index
    // on the parent alone.
    conn.exec("CREATE UNIQUE INDEX points_by_time ON ONLY points (ts, pull_id)");
    conn.exec("CREATE TABLE points_2024 (LIKE points)");
    conn.exec("ALTER TABLE points_2024 ADD UNIQUE (ts)");
    conn.exec("ALTER TABLE points ATTACH PARTITION points_2024 FOR VALUES FROM ('2024-01-01') TO "
              "('2025-01-01')");
    CHECK(keys_without_series_id(conn)
          == std::vector<std::string>{"constraint points_2024_ts_key on points_2024",
                                      "unique index points_2024_ts_key",
                                      "unique index points_2024_ts_pull_id_idx", // ATTACH's
                                      "unique index points_by_time"});
}
