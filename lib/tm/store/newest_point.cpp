#include <tm/store/newest_point.hpp>

#include <fmt/format.h>

#include <chrono>

namespace store {

core::Time recent_months_start(core::Time now) {
    using namespace std::chrono;
    const year_month_day day{floor<days>(now)};
    const year_month previous = year_month{day.year(), day.month()} - months{1};
    return time_point_cast<core::Time::duration>(sys_days{previous / 1});
}

std::string newest_point_sql(std::string_view columns,
                             std::string_view series_id,
                             std::string_view since,
                             std::string_view until) {
    const std::string bound = until.empty() ? "" : fmt::format(" AND ts <= {}", until);
    // An Append runs its branches in order and the LIMIT stops it at the first row, so the
    // second branch runs only when the recent months hold nothing.
    return fmt::format("(SELECT {0} FROM points WHERE series_id = {1} AND ts >= {2}{3} ORDER BY ts "
                       "DESC LIMIT 1) UNION ALL (SELECT {0} FROM points WHERE series_id = {1}{3} "
                       "ORDER BY ts DESC LIMIT 1) LIMIT 1",
                       columns,
                       series_id,
                       since,
                       bound);
}

} // namespace store
