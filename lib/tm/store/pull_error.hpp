#pragma once

#include <string>

namespace store {

// One thing that went wrong in a pull or backfill: a row of pull_errors. A plain value, so that
// sources can report errors without the database headers.
struct PullError {
    std::string asset;   // may be empty when a whole endpoint failed
    std::string request; // "GET /protocols", redacted
    std::string error;   // redacted
    // False for a notice: something skipped on purpose ("Metric not available for asset."),
    // listed in pull_errors but not making the run partial.
    bool failure = true;
};

} // namespace store
