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

TEST_CASE("http::TokenBucket::charge adds a cost known after the response, into debt") {
    const auto t0 = http::SteadyTime{} + 1h;
    http::TokenBucket bucket(1200, 40, t0); // Hyperliquid: 20 per request, +1 per 20 rows
    CHECK(bucket.acquire(20, t0) == 0us);
    bucket.charge(25, t0); // a page of 500 rows
    // 40 - 20 - 25 = -5 tokens: the next request of 20 lacks 25, at 20 per second 1.25 s
    CHECK(bucket.acquire(20, t0) == 1250ms);
    // without the charge it would have gone through at once
    http::TokenBucket fresh(1200, 40, t0);
    CHECK(fresh.acquire(20, t0) == 0us);
    CHECK(fresh.acquire(20, t0) == 0us);
}
