#pragma once

#include <tm/store/batch.hpp>

#include <string>
#include <vector>

// Artemis data API responses (research/market-apis.md §A):
//   {"data":{"symbols":{"<sym>":{"<METRIC>":[{"date":"YYYY-MM-DD","val":n}, ...]}}}}
namespace sources::artemis {

inline constexpr const char* k_source = "artemis";

// Something the response says is not there, rather than a value.
struct Skipped {
    std::string asset;  // empty when the whole range is empty
    std::string metric; // empty when the whole range is empty
    std::string message;
};

// Points at each date's 00:00 UTC, asset = symbol in lower case, metric in upper case (keys match
// case-insensitively). The quirks: a metric whose value is a string ("Metric not available for
// asset.") and a `symbols` that is a string ("No data…") become `skipped` entries; a `val` that
// is null or a non-numeric string is no point; a numeric string is a value. Throws
// json::ShapeError for anything else unexpected.
void parse_metrics(std::string& body, store::Batch& out, std::vector<Skipped>& skipped);

} // namespace sources::artemis
