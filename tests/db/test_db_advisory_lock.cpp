#include "temp_db.hpp"

#include <tm/db/advisory_lock.hpp>

#include <catch2/catch.hpp>

#include <thread>

TEST_CASE("advisory lock: one holder per source, released with the session") {
    TempDb tmp;
    auto one = tmp.connect();
    auto two = tmp.connect();
    {
        db::AdvisoryLock first(one, "tm:source:defillama");
        db::AdvisoryLock second(two, "tm:source:defillama");
        db::AdvisoryLock other(two, "tm:source:artemis");
        REQUIRE(first.try_acquire());
        CHECK_FALSE(second.try_acquire());
        CHECK(second.holder_pid() == one.backend_pid());
        CHECK(other.try_acquire()); // another source is independent
    }
    db::AdvisoryLock again(two, "tm:source:defillama");
    CHECK(again.try_acquire());
}

TEST_CASE("advisory lock: a bounded wait gets the lock when the holder lets go, not before") {
    TempDb tmp;
    auto one = tmp.connect();
    auto two = tmp.connect();
    db::AdvisoryLock first(one, "tm:detect");
    db::AdvisoryLock second(two, "tm:detect");
    REQUIRE(first.try_acquire());
    CHECK_FALSE(second.acquire(std::chrono::milliseconds{300}));
    // The timeout is gone afterwards: it must not cut the session's later statements short.
    CHECK(two.exec("SHOW lock_timeout").get(0, 0) == "0");
    std::thread release([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds{300});
        one.exec("SELECT pg_advisory_unlock_all()");
    });
    CHECK(second.acquire(std::chrono::seconds{30}));
    release.join();
}
