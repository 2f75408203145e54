#pragma once

#include <string>
#include <string_view>

namespace store {

// SQL for the family of the metric of series `s`: CHAIN_FEES_24H and FEES_24H are both FEES, so
// one question can compare sources that name the same measure differently.
inline constexpr std::string_view metric_family_sql =
    "regexp_replace(s.metric, '^CHAIN_|_24H$', '', 'g')";

// The same family in C++ (for grouping rows already read): CHAIN_ dropped in front, _24H at
// the end.
inline std::string metric_family(std::string_view metric) {
    if (metric.starts_with("CHAIN_")) {
        metric.remove_prefix(6);
    }
    if (metric.ends_with("_24H")) {
        metric.remove_suffix(4);
    }
    return std::string(metric);
}

} // namespace store
