#pragma once

#include <tm/core/time.hpp>

#include <optional>
#include <string>
#include <utility>
#include <vector>

// Anomaly rules as config/rules.toml states them (README "tm detect").
namespace rules {

enum class Kind {
    change,     // the newest value against the value one window earlier
    threshold,  // the newest value against fixed bounds, optionally gated by a sibling metric
    deviation,  // the newest value against the mean of the window before it
    staleness,  // per source: newest point too old, or the last pulls failed
    outlier,    // robust z-score against the median and MAD of the window before it
    divergence, // one entity's metric family, compared between two sources
};

std::string_view kind_name(Kind kind);

// Bounds on a value. A threshold rule fires when any given bound is crossed; a `when` gate
// holds when every given bound holds.
struct Bounds {
    std::optional<double> above;    // >
    std::optional<double> at_least; // >=
    std::optional<double> below;    // <
    std::optional<double> at_most;  // <=
    bool empty() const { return !above && !at_least && !below && !at_most; }
};

// Which series a rule judges. Patterns are globs (`*`, `?`); an empty list matches everything.
// For divergence rules `metrics` names metric families (FEES matches FEES_24H, CHAIN_FEES_24H).
struct Selector {
    std::vector<std::string> sources;
    std::vector<std::string> metrics;
    std::vector<std::string> assets;
    std::vector<std::string> asset_kinds; // kinds of the assets table: protocol, chain, pool…
};

struct Rule {
    std::string name;
    Kind kind = Kind::threshold;
    std::string severity = "warning"; // info, warning or critical
    Selector select;
    int line = 0; // where the rule starts in its file, for messages

    // A series whose newest point is older than this is not judged (live runs).
    core::Duration max_age = std::chrono::hours{48};
    // change, deviation, outlier: the look-back; divergence: how far apart two points may be.
    core::Duration window{};
    // change: the fraction that fires; `direction` says which way.
    double fraction = 0;
    enum class Direction { down, up, either } direction = Direction::down;
    // threshold
    Bounds bounds;
    bool absolute = false; // compare abs(value)
    std::optional<std::string> when_metric;
    Bounds when;
    // deviation: fires above `fraction` off the mean; outlier: fires at z >= `z`.
    double z = 0;
    int min_points = 1;
    // deviation, outlier: only the newest max_points points of the window count, so that the
    // cost of judging a series is bounded however dense it is (a minute feed has 43,200 points
    // in 30 days; an hourly one 720).
    int max_points = 1000;
    // staleness
    double factor = 3;
    int failed_pulls = 3;
    std::vector<std::pair<std::string, core::Duration>> schedule;
};

} // namespace rules
