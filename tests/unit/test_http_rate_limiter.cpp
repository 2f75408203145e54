#include <tm/http/rate_limiter.hpp>

#include <catch2/catch.hpp>

using namespace std::chrono_literals;

TEST_CASE("http::TokenBucket spends its burst, then paces at the per-minute rate") {
    const auto t0 = http::SteadyTime{} + 1h;
    http::TokenBucket bucket(60, 3, t0); // one token a second, three at once
    CHECK(bucket.acquire(1, t0) == 0us);
    CHECK(bucket.acquire(1, t0) == 0us);
    CHECK(bucket.acquire(1, t0) == 0us);
    const auto wait = bucket.acquire(1, t0);
    CHECK(wait == 1s);
    // Nothing was spent by the refused call: after the wait the token is there.
    CHECK(bucket.acquire(1, t0 + wait) == 0us);
    CHECK(bucket.acquire(1, t0 + wait) == 1s);
}

TEST_CASE("http::TokenBucket charges request weight") {
    const auto t0 = http::SteadyTime{} + 1h;
    http::TokenBucket bucket(1200, 1200, t0); // Hyperliquid: 1200 weight per minute
    CHECK(bucket.acquire(20, t0) == 0us);
    CHECK(bucket.acquire(1180, t0) == 0us);
    // 20 more weight at 20 per second takes a second.
    CHECK(bucket.acquire(20, t0) == 1s);
}

TEST_CASE("http::TokenBucket never refills above its burst") {
    const auto t0 = http::SteadyTime{} + 1h;
    http::TokenBucket bucket(60, 2, t0);
    CHECK(bucket.acquire(2, t0) == 0us);
    const auto later = t0 + 10min;
    CHECK(bucket.acquire(1, later) == 0us);
    CHECK(bucket.acquire(1, later) == 0us);
    CHECK(bucket.acquire(1, later) > 0us);
}

TEST_CASE("http::TokenBucket lets a request heavier than the burst through on a full bucket") {
    const auto t0 = http::SteadyTime{} + 1h;
    http::TokenBucket bucket(60, 5, t0);
    CHECK(bucket.acquire(50, t0) == 0us);
    CHECK(bucket.acquire(50, t0) == 5s);
}
