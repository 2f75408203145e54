#include "temp_db.hpp"

#include <tm/store/journal.hpp>

#include <catch2/catch.hpp>

TEST_CASE("journal: running, finished with errors, interrupted runs closed") {
    TempDb tmp;
    auto conn = tmp.connect();
    store::Journal journal(conn);
    const auto id = journal.start("defillama", store::PullKind::pull, "pull defillama");
    CHECK(conn.exec("SELECT status FROM pulls WHERE pull_id = $1", {std::to_string(id)}).get(0, 0)
          == "running");
    REQUIRE(journal.running("defillama", store::PullKind::pull));
    CHECK(journal.running("defillama", store::PullKind::pull)->pull_id == id);

    store::PullSummary s;
    s.status = store::PullStatus::partial;
    s.counts.seen = 5;
    s.counts.inserted = 4;
    s.requests = 3;
    s.failed_requests = 1;
    s.error = "GET /v2/chains: HTTP 500";
    s.errors = {{"", "GET /v2/chains", "HTTP 500"},
                {"aave", "GET /protocol/aave", "HTTP 400 (Protocol not found)"}};
    journal.finish(id, s);
    const auto row =
        conn.exec("SELECT status, requests, failed_requests, points_seen, points_inserted, error "
                  "FROM pulls WHERE pull_id = $1",
                  {std::to_string(id)});
    CHECK(row.get(0, 0) == "partial");
    CHECK(row.get_int(0, 1) == 3);
    CHECK(row.get_int(0, 3) == 5);
    CHECK(row.get(0, 5) == "GET /v2/chains: HTTP 500");
    CHECK(conn.exec("SELECT count(*) FROM pull_errors WHERE pull_id = $1", {std::to_string(id)})
              .get_int(0, 0)
          == 2);
    CHECK(conn.exec("SELECT asset IS NULL FROM pull_errors WHERE request = 'GET /v2/chains'")
              .get(0, 0)
          == "t");

    const auto killed = journal.start("defillama", store::PullKind::pull, "pull defillama");
    journal.close_interrupted("defillama", store::PullKind::pull);
    const auto closed =
        conn.exec("SELECT status, error FROM pulls WHERE pull_id = $1", {std::to_string(killed)});
    CHECK(closed.get(0, 0) == "failed");
    CHECK(std::string(closed.get(0, 1)).find("interrupted") != std::string::npos);
    CHECK_FALSE(journal.running("defillama", store::PullKind::pull));
}

TEST_CASE("journal: a pull closes killed pulls, not the backfill running beside it") {
    TempDb tmp;
    auto conn = tmp.connect();
    store::Journal journal(conn);
    const auto backfill = journal.start("defillama", store::PullKind::backfill, "backfill");
    const auto killed = journal.start("defillama", store::PullKind::pull, "pull defillama");
    journal.close_interrupted("defillama", store::PullKind::pull);
    CHECK(
        conn.exec("SELECT status FROM pulls WHERE pull_id = $1", {std::to_string(killed)}).get(0, 0)
        == "failed");
    REQUIRE(journal.running("defillama", store::PullKind::backfill));
    CHECK(journal.running("defillama", store::PullKind::backfill)->pull_id == backfill);
    CHECK_FALSE(journal.running("defillama", store::PullKind::pull));
}
