#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace core {

// An instant in UTC with microsecond resolution (PostgreSQL's timestamptz resolution).
using Time = std::chrono::sys_time<std::chrono::microseconds>;
using Duration = std::chrono::microseconds;

struct Clock {
    // The run's notion of "now". TM_NOW (ISO-8601) overrides it so that tests and replays
    // of recorded responses stamp snapshots deterministically. Throws UsageError if TM_NOW
    // is malformed.
    static Time now();
    // The real time, for log lines and durations; never overridden.
    static Time wall_now();
};

enum class Precision { seconds, millis, micros };

// "2024-03-13T05:00:00Z" (UTC, always with Z).
std::string format_iso8601(Time t, Precision precision = Precision::seconds);
// "2024-03-13".
std::string format_date(Time t);

// Parses "YYYY-MM-DD", "YYYY-MM-DD[T ]HH:MM[:SS[.ffffff]]" with an optional "Z" or "±HH:MM"
// offset (none means UTC). Returns nullopt for anything else, including impossible dates.
std::optional<Time> parse_time(std::string_view text);

// Parses "90s", "5m", "1h", "1d", "2w" and sums like "1h30m". Returns nullopt when malformed
// or not positive.
std::optional<Duration> parse_duration(std::string_view text);
std::string format_duration(Duration d);
// An age for people, to the nearest lower unit pair: "45s", "12m", "3h12m", "2d3h" (negative
// ages, from clocks that disagree, get a '-').
std::string format_age(double seconds);

// Floors `t` to a multiple of `bucket` counted from the Unix epoch, so a day bucket floors to
// 00:00 UTC and an hour bucket to the top of the hour.
Time floor_to(Time t, Duration bucket);

// Throw core::DataError outside the years 1 to 9999 (a response's garbage, not a time).
Time from_unix_seconds(int64_t seconds);
Time from_unix_millis(int64_t millis);
int64_t to_unix_seconds(Time t);

} // namespace core
