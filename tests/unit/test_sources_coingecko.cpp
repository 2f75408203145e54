#include "batch_helpers.hpp"

#include <tm/sources/coingecko/parse.hpp>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <map>

namespace {

const core::Time k_ts = core::from_unix_seconds(1689657600);

} // namespace

TEST_CASE("coingecko parsers on the real recorded and documented responses") {
    std::string price = fixture_file("coingecko/simple_price_ethereum_usd_jkorf.json");
    store::Batch b;
    std::vector<std::string> answered;
    sources::coingecko::parse_simple_price(price, k_ts, b, answered);
    REQUIRE(b.size() == 1); // no market cap, volume or time asked for in that recording
    CHECK(answered == std::vector<std::string>{"ethereum"});
    CHECK(value_of(b, "ethereum", "PRICE") == 1498.64);
    CHECK(b.times()[0] == k_ts);

    std::string chart =
        fixture_file("coingecko/coins_id_market_chart_range_docs-example_jkorf.json");
    store::Batch c;
    sources::coingecko::parse_market_chart(chart, "bitcoin", c);
    CHECK(c.size() == 9);
    CHECK(c.times()[0] == core::from_unix_millis(1711843200000));
    CHECK(c.values()[0] == 69702.3087473573);

    std::string quirks =
        R"({"prices":[[1,2.5]],"market_caps":[[1,null],[2,0.0],[3,5e-05]],"total_volumes":[]})";
    store::Batch q;
    sources::coingecko::parse_market_chart(quirks, "young", q);
    CHECK(q.size() == 2); // the null and the zero market cap are no value
}

TEST_CASE("coingecko: ids left out, the id list and error 10012") {
    std::string price = R"({"bitcoin":{"usd":67187.33,"last_updated_at":1711356300}})";
    store::Batch b;
    std::vector<std::string> answered;
    sources::coingecko::parse_simple_price(price, k_ts, b, answered);
    CHECK(answered == std::vector<std::string>{"bitcoin"}); // "bitcoinn" asked, left out
    std::string list = R"([{"id":"bitcoin","symbol":"btc","name":"Bitcoin"},{"id":"zcash"}])";
    CHECK(sources::coingecko::parse_coin_list(list)
          == std::vector<std::string>{"bitcoin", "zcash"});
    // The real body of a keyless request reaching past 365 days (HTTP 401).
    const std::string range = fixture_file("coingecko/error_10012_outside_public_range_real.json");
    CHECK(sources::coingecko::error_code(range) == sources::coingecko::k_outside_public_range);
    CHECK(sources::coingecko::error_code(
              fixture_file("coingecko/error_429_rate_limit_from-issue.json"))
          == 429);
    CHECK_FALSE(sources::coingecko::error_code(R"({"error":"coin not found"})"));
}
