#pragma once

#include <tm/core/time.hpp>
#include <tm/report/metrics_file.hpp>

#include <cstdio>
#include <map>
#include <optional>
#include <string>

namespace jobs {

struct StatusOptions {
    std::optional<std::string> db;
    std::optional<std::string> rules_file;         // schedules come from its staleness rule
    std::map<std::string, core::Duration> max_age; // --max-age SOURCE=DURATION
    bool json = false;
};

// tm status: one line per source and the database's size, on `out`. Returns the monitoring
// plugin code: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (the database cannot be read, bad
// options, or nothing pulled yet). Never throws. Tells the metrics file how the run itself went
// (report::RunMetrics::result): ok whenever it judged the feeds, whatever it found.
int run_status(const StatusOptions& options, std::FILE* out, report::RunMetrics& metrics);

// Prints "TM UNKNOWN - why" (or its JSON) for a usage error found before run_status (so no
// metrics file is written for it); returns 3.
int report_usage_error(const std::string& why,
                       bool json,
                       std::FILE* out,
                       report::RunMetrics& metrics);

} // namespace jobs
