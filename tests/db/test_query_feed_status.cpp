// The newest point of a series as tm status, /metrics and the dashboard read it: from the recent
// months first, from the whole history when those hold nothing, never after `now`.
#include "temp_db.hpp"

#include <tm/query/feed_status.hpp>
#include <tm/store/newest_point.hpp>

#include <catch2/catch.hpp>

namespace {

core::Time at(const char* iso) {
    return *core::parse_time(iso);
}

} // namespace

TEST_CASE("recent_months_start: the start of the UTC month before now's") {
    CHECK(core::format_iso8601(store::recent_months_start(at("2024-03-13T05:17:00Z")))
          == "2024-02-01T00:00:00Z");
    CHECK(core::format_iso8601(store::recent_months_start(at("2024-01-01T00:00:00Z")))
          == "2023-12-01T00:00:00Z");
}

TEST_CASE("newest point: recent months first, the whole history for an old series, not after now") {
    TempDb tmp;
    auto conn = tmp.connect();
    conn.exec("INSERT INTO series (source, kind, asset, metric, unit) VALUES "
              "('coingecko', 'coin', 'live', 'PRICE', 'usd'), "
              "('coingecko', 'coin', 'old', 'PRICE', 'usd'), "
              "('kraken', 'pair', 'future', 'PRICE', 'usd')");
    conn.exec("INSERT INTO points (series_id, ts, value) SELECT series_id, t::timestamptz, 1 FROM "
              "series, unnest(CASE asset WHEN 'live' THEN ARRAY['2023-06-01', '2024-03-10T12:00Z'] "
              "WHEN 'old' THEN ARRAY['2022-01-01', '2023-06-01'] "
              "ELSE ARRAY['2024-04-01'] END) AS t");
    const core::Time now = at("2024-03-13T00:00:00Z");
    CHECK(query::newest_point(conn, "coingecko", now) == at("2024-03-10T12:00:00Z"));
    CHECK(query::newest_point(conn, "kraken", now) == std::nullopt);
    const auto feeds = query::feed_status(conn, now, query::FeedLimits{});
    REQUIRE(feeds.size() == 2);
    CHECK(feeds[0].source == "coingecko");
    CHECK(feeds[0].newest_point == "2024-03-10T12:00:00Z");
    CHECK(feeds[0].series == 2);
    CHECK(feeds[1].source == "kraken");
    CHECK_FALSE(feeds[1].newest_point.has_value());

    // A source whose every series is older than the recent months.
    conn.exec("DELETE FROM points WHERE series_id = (SELECT series_id FROM series WHERE asset = "
              "'live')");
    CHECK(query::newest_point(conn, "coingecko", now) == at("2023-06-01T00:00:00Z"));
}
