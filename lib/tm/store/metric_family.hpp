#pragma once

#include <string_view>

namespace store {

// SQL for the family of the metric of series `s`: CHAIN_FEES_24H and FEES_24H are both FEES, so
// one question can compare sources that name the same measure differently.
inline constexpr std::string_view metric_family_sql =
    "regexp_replace(s.metric, '^CHAIN_|_24H$', '', 'g')";

} // namespace store
