#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace store {

// One [[retention]] entry of config/retention.toml: raw points of the series it matches are
// kept `raw_days` days back from today's UTC midnight, or forever.
struct RetentionEntry {
    std::vector<std::string> sources; // empty: every source
    std::vector<std::string> metrics; // empty: every metric
    std::optional<int> raw_days;      // nullopt: forever
    int line = 0;
};

// How long raw points are kept (tm compact). Rollups are kept forever.
struct RetentionPolicy {
    std::string origin; // file name, for messages
    std::optional<int> default_raw_days;
    std::vector<RetentionEntry> entries;
};

// Parses a retention file (TOML). Throws core::UsageError "FILE:LINE: what is wrong" for anything
// malformed: unknown keys, days that are not a whole number >= 1 or "forever", two entries for
// the same source and metric.
RetentionPolicy parse_retention(std::string_view text, const std::string& origin);

// The policy of `path`, or the shipped config/retention.toml (compiled in) when there is none.
RetentionPolicy load_retention(const std::optional<std::string>& path);

} // namespace store
