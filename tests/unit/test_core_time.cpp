#include <tm/core/error.hpp>
#include <tm/core/strings.hpp>
#include <tm/core/time.hpp>

#include <catch2/catch.hpp>

#include <cmath>

using namespace std::chrono_literals;

namespace {

core::Time at(const char* iso) {
    auto t = core::parse_time(iso);
    REQUIRE(t);
    return *t;
}

} // namespace

TEST_CASE("core::floor_to floors to hour and day boundaries in UTC") {
    CHECK(core::format_iso8601(core::floor_to(at("2024-03-13T05:59:59.999Z"), 1h))
          == "2024-03-13T05:00:00Z");
    CHECK(core::format_iso8601(core::floor_to(at("2024-03-13T05:00:00Z"), 1h))
          == "2024-03-13T05:00:00Z");
    CHECK(core::format_iso8601(core::floor_to(at("2024-03-13T23:30:00Z"), 24h))
          == "2024-03-13T00:00:00Z");
    CHECK(core::format_iso8601(core::floor_to(at("2024-03-13T05:07:00Z"), 15min))
          == "2024-03-13T05:00:00Z");
    SECTION("before the epoch still floors downwards") {
        CHECK(core::format_iso8601(core::floor_to(at("1969-12-31T23:30:00Z"), 1h))
              == "1969-12-31T23:00:00Z");
    }
}

TEST_CASE("core::parse_time accepts dates, times and offsets") {
    CHECK(core::format_iso8601(at("2021-01-01")) == "2021-01-01T00:00:00Z");
    CHECK(core::format_iso8601(at("2021-01-01T12:34")) == "2021-01-01T12:34:00Z");
    CHECK(core::format_iso8601(at("2021-01-01 12:34:56")) == "2021-01-01T12:34:56Z");
    CHECK(core::format_iso8601(at("2021-01-01T12:34:56+02:00")) == "2021-01-01T10:34:56Z");
    CHECK(core::format_iso8601(at("2021-01-01T00:30:00-01:00")) == "2021-01-01T01:30:00Z");
    CHECK(core::format_iso8601(at("2025-02-09T18:04:59.123456Z"), core::Precision::micros)
          == "2025-02-09T18:04:59.123456Z");
    CHECK(core::format_date(at("2024-02-29T23:59:59Z")) == "2024-02-29");
}

TEST_CASE("core::parse_time rejects what is not a time") {
    for (const char* bad : {"",
                            "2021",
                            "2021-1-1",
                            "2021-02-30",
                            "2021-13-01",
                            "2021-01-01T25:00",
                            "2021-01-01T12:60",
                            "2021-01-01X",
                            "yesterday",
                            "2021-01-01T12:00:00+5",
                            "2021-01-01T12:00:00Zjunk",
                            "2021-01-01T12:00:00."}) {
        INFO(bad);
        CHECK_FALSE(core::parse_time(bad));
    }
}

TEST_CASE("core::parse_duration reads units and sums") {
    CHECK(core::parse_duration("90s") == 90s);
    CHECK(core::parse_duration("5m") == 5min);
    CHECK(core::parse_duration("1h30m") == 90min);
    CHECK(core::parse_duration("2d") == 48h);
    CHECK(core::parse_duration("1w") == 168h);
    CHECK(core::parse_duration("250ms") == 250ms);
    for (const char* bad : {"", "5", "h", "5x", "-5m", "0s", "1.5h", "5m "}) {
        INFO(bad);
        CHECK_FALSE(core::parse_duration(bad));
    }
    CHECK(core::format_duration(3h) == "3h");
    CHECK(core::format_duration(90s) == "90s");
}

TEST_CASE("numbers and times from untrusted JSON are range-checked, not undefined behaviour") {
    // Found by fuzzing: each of these once overflowed a 64-bit microsecond count.
    CHECK(core::parse_duration("36525d") == std::chrono::days{36'525});
    CHECK_FALSE(core::parse_duration("36526d"));
    CHECK_FALSE(core::parse_duration("1850289144d"));
    CHECK_FALSE(core::parse_duration("20000d20000d"));
    CHECK(core::to_unix_seconds(core::from_unix_seconds(253'402'300'799)) == 253'402'300'799);
    CHECK_THROWS_AS(core::from_unix_seconds(17'102'880'010'115'200), core::DataError);
    CHECK_THROWS_AS(core::from_unix_millis(-17'102'880'010'115'200), core::DataError);
    CHECK(core::strings::to_int64(1.7e12) == 1'700'000'000'000);
    CHECK(core::strings::to_int64(-2.5) == -2);
    CHECK_THROWS_AS(core::strings::to_int64(1.71184e23), core::DataError);
    CHECK_THROWS_AS(core::strings::to_int64(std::nan("")), core::DataError);
    CHECK_THROWS_AS(core::strings::to_int64(9223372036854775808.0), core::DataError);
}
