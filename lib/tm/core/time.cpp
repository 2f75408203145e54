#include <tm/core/error.hpp>
#include <tm/core/time.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>

namespace core {
namespace {

using namespace std::chrono;

// Reads exactly `width` digits at `pos`; advances `pos`.
std::optional<int> read_digits(std::string_view s, size_t& pos, size_t width) {
    if (pos + width > s.size()) {
        return std::nullopt;
    }
    int value = 0;
    for (size_t i = 0; i < width; ++i) {
        const char c = s[pos + i];
        if (c < '0' || c > '9') {
            return std::nullopt;
        }
        value = value * 10 + (c - '0');
    }
    pos += width;
    return value;
}

bool consume(std::string_view s, size_t& pos, char c) {
    if (pos < s.size() && s[pos] == c) {
        ++pos;
        return true;
    }
    return false;
}

} // namespace

Time Clock::now() {
    if (const char* fixed = std::getenv("TM_NOW"); fixed != nullptr && *fixed != '\0') {
        auto t = parse_time(fixed);
        if (!t) {
            throw UsageError(fmt::format(
                "TM_NOW='{}' is not a time; use ISO-8601 such as 2024-03-13T05:00:00Z", fixed));
        }
        return *t;
    }
    return wall_now();
}

Time Clock::wall_now() {
    return time_point_cast<microseconds>(system_clock::now());
}

std::string format_iso8601(Time t, Precision precision) {
    const auto day = floor<days>(t);
    const year_month_day ymd{day};
    const hh_mm_ss hms{t - day};
    std::string out = fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
                                  static_cast<int>(ymd.year()),
                                  static_cast<unsigned>(ymd.month()),
                                  static_cast<unsigned>(ymd.day()),
                                  hms.hours().count(),
                                  hms.minutes().count(),
                                  hms.seconds().count());
    const auto micros = hms.subseconds().count();
    if (precision == Precision::millis) {
        out += fmt::format(".{:03}", micros / 1000);
    } else if (precision == Precision::micros) {
        out += fmt::format(".{:06}", micros);
    }
    out += 'Z';
    return out;
}

std::string format_date(Time t) {
    const year_month_day ymd{floor<days>(t)};
    return fmt::format("{:04}-{:02}-{:02}",
                       static_cast<int>(ymd.year()),
                       static_cast<unsigned>(ymd.month()),
                       static_cast<unsigned>(ymd.day()));
}

std::optional<Time> parse_time(std::string_view s) {
    size_t pos = 0;
    const auto y = read_digits(s, pos, 4);
    if (!y || !consume(s, pos, '-')) {
        return std::nullopt;
    }
    const auto mo = read_digits(s, pos, 2);
    if (!mo || !consume(s, pos, '-')) {
        return std::nullopt;
    }
    const auto d = read_digits(s, pos, 2);
    if (!d) {
        return std::nullopt;
    }
    const year_month_day ymd{
        year{*y}, month{static_cast<unsigned>(*mo)}, day{static_cast<unsigned>(*d)}};
    if (!ymd.ok()) {
        return std::nullopt;
    }
    Time t = time_point_cast<microseconds>(sys_days{ymd});
    if (pos == s.size()) {
        return t;
    }
    if (s[pos] != 'T' && s[pos] != 't' && s[pos] != ' ') {
        return std::nullopt;
    }
    ++pos;
    const auto hh = read_digits(s, pos, 2);
    if (!hh || !consume(s, pos, ':')) {
        return std::nullopt;
    }
    const auto mm = read_digits(s, pos, 2);
    if (!mm || *hh > 23 || *mm > 59) {
        return std::nullopt;
    }
    int ss = 0;
    int64_t micros = 0;
    if (consume(s, pos, ':')) {
        const auto sec = read_digits(s, pos, 2);
        if (!sec || *sec > 60) {
            return std::nullopt;
        }
        ss = *sec;
        if (consume(s, pos, '.')) {
            int64_t scale = 100000;
            size_t digits = 0;
            while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos]))) {
                micros += (s[pos] - '0') * scale;
                scale /= 10;
                ++pos;
                ++digits;
            }
            if (digits == 0) {
                return std::nullopt;
            }
        }
    }
    t += hours{*hh} + minutes{*mm} + seconds{ss} + microseconds{micros};
    if (pos == s.size() || ((s[pos] == 'Z' || s[pos] == 'z') && pos + 1 == s.size())) {
        return t;
    }
    if (s[pos] != '+' && s[pos] != '-') {
        return std::nullopt;
    }
    const int sign = s[pos] == '+' ? 1 : -1;
    ++pos;
    const auto oh = read_digits(s, pos, 2);
    if (!oh) {
        return std::nullopt;
    }
    consume(s, pos, ':');
    const auto om = read_digits(s, pos, 2);
    if (!om || pos != s.size() || *oh > 23 || *om > 59) {
        return std::nullopt;
    }
    return t - sign * (hours{*oh} + minutes{*om});
}

std::optional<Duration> parse_duration(std::string_view s) {
    if (s.empty()) {
        return std::nullopt;
    }
    Duration total{0};
    size_t pos = 0;
    while (pos < s.size()) {
        int64_t n = 0;
        size_t digits = 0;
        while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos]))) {
            if (n > 1'000'000'000) {
                return std::nullopt;
            }
            n = n * 10 + (s[pos] - '0');
            ++pos;
            ++digits;
        }
        if (digits == 0 || pos == s.size()) {
            return std::nullopt;
        }
        std::string_view unit = s.substr(pos, 1);
        if (s.substr(pos, 2) == "ms") {
            unit = "ms";
        }
        pos += unit.size();
        Duration one{};
        if (unit == "ms") {
            one = milliseconds{1};
        } else if (unit == "s") {
            one = seconds{1};
        } else if (unit == "m") {
            one = minutes{1};
        } else if (unit == "h") {
            one = hours{1};
        } else if (unit == "d") {
            one = days{1};
        } else if (unit == "w") {
            one = weeks{1};
        } else {
            return std::nullopt;
        }
        // Nothing tm schedules or looks back over lasts a century; refusing more also keeps the
        // microsecond count far from overflowing (found by fuzzing).
        constexpr Duration k_longest = days{36'525};
        if (n > k_longest / one || total + n * one > k_longest) {
            return std::nullopt;
        }
        total += n * one;
    }
    if (total <= Duration{0}) {
        return std::nullopt;
    }
    return total;
}

std::string format_duration(Duration d) {
    const auto s = duration_cast<seconds>(d).count();
    if (s % 86400 == 0) {
        return fmt::format("{}d", s / 86400);
    }
    if (s % 3600 == 0) {
        return fmt::format("{}h", s / 3600);
    }
    if (s % 60 == 0) {
        return fmt::format("{}m", s / 60);
    }
    if (d % seconds{1} == Duration{0}) {
        return fmt::format("{}s", s);
    }
    return fmt::format("{}ms", duration_cast<milliseconds>(d).count());
}

std::string format_age(double seconds) {
    if (seconds < 0) {
        return fmt::format("-{}", format_age(-seconds));
    }
    const auto s = static_cast<long long>(std::min(seconds, 1e15));
    if (s < 60) {
        return fmt::format("{}s", s);
    }
    if (s < 3600) {
        return fmt::format("{}m", s / 60);
    }
    if (s < 86400) {
        return s % 3600 / 60 == 0 ? fmt::format("{}h", s / 3600)
                                  : fmt::format("{}h{}m", s / 3600, s % 3600 / 60);
    }
    return s % 86400 / 3600 == 0 ? fmt::format("{}d", s / 86400)
                                 : fmt::format("{}d{}h", s / 86400, s % 86400 / 3600);
}

Time floor_to(Time t, Duration bucket) {
    const int64_t b = bucket.count();
    int64_t v = t.time_since_epoch().count();
    int64_t r = v % b;
    if (r < 0) {
        r += b;
    }
    return Time{Duration{v - r}};
}

// Years 0001..9999: what PostgreSQL and ISO-8601 strings agree on, and far from overflowing
// microseconds in 64 bits.
constexpr int64_t k_min_unix_seconds = -62'135'596'800;
constexpr int64_t k_max_unix_seconds = 253'402'300'799;

Time from_unix_seconds(int64_t s) {
    if (s < k_min_unix_seconds || s > k_max_unix_seconds) {
        throw DataError(fmt::format("timestamp {} s is outside the years 1 to 9999", s));
    }
    return Time{seconds{s}};
}
Time from_unix_millis(int64_t ms) {
    if (ms / 1000 < k_min_unix_seconds || ms / 1000 > k_max_unix_seconds) {
        throw DataError(fmt::format("timestamp {} ms is outside the years 1 to 9999", ms));
    }
    return Time{milliseconds{ms}};
}
int64_t to_unix_seconds(Time t) {
    return floor<seconds>(t).time_since_epoch().count();
}

} // namespace core
