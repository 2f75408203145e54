#include <tm/core/strings.hpp>
#include <tm/db/connection.hpp>
#include <tm/db/migrate.hpp>
#include <tm/db/target.hpp>
#include <tm/jobs/status.hpp>
#include <tm/query/feed_status.hpp>
#include <tm/report/metrics_file.hpp>
#include <tm/report/rows.hpp>
#include <tm/rules/rules_file.hpp>

#include <fmt/format.h>

#include <algorithm>

namespace jobs {
namespace {

using query::FeedStatus;
using query::Health;

std::string json_text(const std::optional<std::string>& s) {
    return s ? fmt::format("\"{}\"", core::strings::json_escape(*s)) : std::string("null");
}

std::string table(const std::vector<FeedStatus>& feeds) {
    std::vector<std::vector<std::string>> rows = {{"source",
                                                   "health",
                                                   "last pull",
                                                   "status",
                                                   "newest point",
                                                   "age",
                                                   "max age",
                                                   "series",
                                                   "points 24h",
                                                   "open alerts",
                                                   "why"}};
    for (const auto& f : feeds) {
        rows.push_back(
            {f.source,
             std::string(query::health_name(f.health)),
             f.last_pull_at.value_or("-"),
             f.last_pull_status.value_or("-"),
             f.newest_point.value_or("-"),
             f.age_seconds ? core::format_age(*f.age_seconds) : "-",
             f.max_age ? core::format_age(std::chrono::duration<double>(*f.max_age).count()) : "-",
             core::strings::group_thousands(f.series),
             core::strings::group_thousands(f.points_24h),
             std::to_string(f.open_alerts),
             f.reason});
    }
    return report::aligned(rows);
}

std::string feed_json(const FeedStatus& f) {
    return fmt::format(
        "{{\"source\":{},\"health\":\"{}\",\"last_pull_at\":{},\"last_pull_status\":{},"
        "\"failures_in_a_row\":{},\"newest_point\":{},\"age_seconds\":{},\"max_age_seconds\":{},"
        "\"series\":{},\"points_24h\":{},\"open_alerts\":{},\"reason\":{}}}",
        json_text(f.source),
        query::health_name(f.health),
        json_text(f.last_pull_at),
        json_text(f.last_pull_status),
        f.failures_in_a_row,
        json_text(f.newest_point),
        f.age_seconds ? fmt::format("{:.0f}", *f.age_seconds) : "null",
        f.max_age ? fmt::format("{:.0f}", std::chrono::duration<double>(*f.max_age).count())
                  : "null",
        f.series,
        f.points_24h,
        f.open_alerts,
        json_text(f.reason));
}

int report_unknown(const std::string& why, bool json, std::FILE* out) {
    if (json) {
        fmt::print(out, "{{\"status\":\"UNKNOWN\",\"code\":3,\"summary\":{}}}\n", json_text(why));
    } else {
        fmt::print(out, "TM UNKNOWN - {}\n", core::strings::terminal_safe(why));
    }
    return static_cast<int>(Health::unknown);
}

} // namespace

int report_usage_error(const std::string& why,
                       bool json,
                       std::FILE* out,
                       report::RunMetrics& metrics) {
    metrics.result = report::Result::usage;
    return report_unknown(why, json, out);
}

int run_status(const StatusOptions& o, std::FILE* out, report::RunMetrics& metrics) {
    try {
        // The rules' schedules, then --max-age on top.
        auto limits = query::feed_limits(rules::load_rules(o.rules_file));
        for (const auto& [source, age] : o.max_age) {
            limits.max_age[source] = age;
        }
        const db::Target target = db::select_target(o.db, db::Role::reader);
        db::Connection conn = db::connect(target);
        db::require_schema(conn);
        const auto feeds = query::feed_status(conn, core::Clock::now(), limits);
        const long long size = query::database_size(conn);
        const auto points_estimate = query::points_estimate(conn);
        metrics.result = report::Result::ok;
        if (feeds.empty()) {
            return report_unknown("nothing pulled yet (run tm pull SOURCE)", o.json, out);
        }
        Health worst = Health::ok;
        std::vector<std::string> problems;
        int counts[3] = {0, 0, 0};
        for (const auto& f : feeds) {
            worst = std::max(worst, f.health);
            ++counts[static_cast<int>(f.health)];
            if (f.health != Health::ok) {
                problems.push_back(fmt::format("{}: {}", f.source, f.reason));
            }
        }
        const std::string summary = problems.empty() ? fmt::format("{} sources ok", feeds.size())
                                                     : fmt::format("{}", fmt::join(problems, "; "));
        if (o.json) {
            std::vector<std::string> items;
            for (const auto& f : feeds) {
                items.push_back(feed_json(f));
            }
            fmt::print(
                out,
                "{{\"status\":\"{}\",\"code\":{},\"summary\":{},\"database\":{{\"target\":{},"
                "\"reachable\":true,\"size_bytes\":{},\"points_estimate\":{}}},\"sources\":[{}]}}"
                "\n",
                query::health_name(worst),
                static_cast<int>(worst),
                json_text(summary),
                json_text(target.describe()),
                size,
                points_estimate ? std::to_string(*points_estimate) : "null",
                fmt::join(items, ","));
        } else {
            // The first line is what monitoring systems show; perfdata after the '|'.
            fmt::print(out,
                       "TM {} - {} | sources={} ok={} warning={} critical={} database_bytes={}\n",
                       query::health_name(worst),
                       core::strings::terminal_safe(summary),
                       feeds.size(),
                       counts[0],
                       counts[1],
                       counts[2],
                       size);
            fmt::print(out,
                       "database: {}, {:.1f} MB{}\n",
                       core::strings::terminal_safe(target.describe()),
                       size / 1048576.0,
                       points_estimate ? fmt::format(
                           ", about {} points", core::strings::group_thousands(*points_estimate))
                                       : "");
            fmt::print(out, "{}", table(feeds));
        }
        return static_cast<int>(worst);
    } catch (const core::Error& e) {
        metrics.result = report::result_of(static_cast<int>(e.code()));
        return report_unknown(e.what(), o.json, out);
    } catch (const std::exception& e) {
        metrics.result = report::Result::failed;
        return report_unknown(e.what(), o.json, out);
    }
}

} // namespace jobs
