#pragma once

#include <tm/core/time.hpp>
#include <tm/db/connection.hpp>
#include <tm/query/feed_status.hpp>

#include <optional>
#include <string>
#include <vector>

// The dashboard of tm serve: whole HTML pages made on the server from tm query's views
// (query/views.hpp), so every table reads without JavaScript; charts are drawn in the browser by
// dygraphs from data written into the page. A bad parameter throws core::UsageError (400), a
// thing that is not stored throws NotFound (404).
namespace serve {

struct NotFound {
    std::string message;
};

// The window a time-series page shows: a preset (7d, 30d, 1y, all) or, when `from` is given
// (the links from an alert), from `from` to `to` (default now).
struct Window {
    std::string range = "30d";
    std::optional<core::Time> from;
    std::optional<core::Time> to;
};

// Reads range=, from= and to=; throws core::UsageError for anything else than the presets or an
// ISO-8601 time.
Window parse_window(const std::optional<std::string>& range,
                    const std::optional<std::string>& from,
                    const std::optional<std::string>& to);

// One series page: the series of `asset` at `source` (of `kind`, when given) in the chart group
// of `metric` (CHAIN_FEES_24H and FEES_24H are FEES; MARK_PRICE and ORACLE_PRICE are PRICE; the
// predicted funding rates of each venue go with FUNDING_RATE; APY_BASE and APY_REWARD with
// APY). Without `source`, the page lists entities and has a form; without `metric`, the asset's
// series.
struct ChartRequest {
    std::optional<std::string> source;
    std::optional<std::string> asset;
    std::optional<std::string> kind;
    std::optional<std::string> metric;
    Window window;
};

// The alerts and pulls journal, of one source or all.
struct JournalRequest {
    std::optional<std::string> source;
};

// Overview: every feed's health as tm status judges it, counts, database size, open alerts.
std::string overview_page(db::Connection& conn, core::Time now, const query::FeedLimits& limits);

// DeFi: top protocols and chains by TVL (1-day and 7-day change, a 7-day sparkline), fees,
// revenue and DEX volume leaders, stablecoin supply, the largest pools' APY and utilization.
std::string defi_page(db::Connection& conn, core::Time now);

std::string chart_page(db::Connection& conn, core::Time now, const ChartRequest& request);

// Every source's series of `entity` (the entities table), one chart per group and unit.
std::string
entity_page(db::Connection& conn, core::Time now, const std::string& entity, const Window& window);

// Open and resolved alerts (each linking to its series around the alert), the pulls journal and
// each pull's errors.
std::string journal_page(db::Connection& conn, core::Time now, const JournalRequest& request);

// A page saying what went wrong (`status` 400, 404, 503 …), for a browser.
std::string error_page(int status, const std::string& message, core::Time now);

} // namespace serve
