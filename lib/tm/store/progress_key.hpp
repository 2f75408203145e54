#pragma once

#include <string>

namespace store {

// A resume point: backfill_progress is kept per (asset, metric) of a source.
struct ProgressKey {
    std::string asset;
    std::string metric;
    auto operator<=>(const ProgressKey&) const = default;
};

} // namespace store
