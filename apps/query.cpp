// tm-query: read stored data — the newest value of each series, their history (optionally
// bucketed), daily candles, alerts, pulls, assets, series, or one read-only SQL statement — as
// an aligned table, CSV, JSON or NDJSON, to stdout or atomically to a file.
#include <tm/cli/options.hpp>
#include <tm/core/strings.hpp>
#include <tm/jobs/query.hpp>
#include <tm/sources/source.hpp>
#include <tm/store/asset_kind.hpp>

#include <fmt/format.h>

namespace {

// Throws UsageError when `flag` was given for a view it does not apply to.
void only_for(const CLI::App& app, const char* flag, bool applies, const std::string& views) {
    if (app.count(flag) > 0 && !applies) {
        throw core::UsageError(fmt::format("{} goes with {}", flag, views));
    }
}

// Throws UsageError for a flag given to a view (or mode) it does not apply to.
void check_flags_for_view(const CLI::App& app,
                          query::View view,
                          const query::Filter& f,
                          const jobs::QueryOptions& o) {
    const bool series_view =
        view == query::View::latest || view == query::View::history || view == query::View::series;
    only_for(app, "--interval", view == query::View::history, "the history view");
    only_for(app, "--agg", f.interval.has_value(), "--interval");
    only_for(app, "--status", view == query::View::alerts, "the alerts view");
    only_for(app, "--statement-timeout", o.sql.has_value(), "--sql");
    only_for(app, "--desc", f.sort.has_value(), "--sort");
    if (f.sort && (o.sql || o.interactive)) {
        throw core::UsageError("--sort goes with the views; with --sql, write ORDER BY");
    }
    only_for(app, "--entity", series_view, "latest, history and series");
    only_for(app,
             "--metric",
             series_view || view == query::View::alerts,
             "latest, history, series and alerts");
    only_for(app,
             "--kind",
             view != query::View::pulls && view != query::View::pull_errors
                 && view != query::View::ohlcv,
             "latest, history, series, alerts and assets");
}

} // namespace

int main(int argc, char** argv) {
    CLI::App app{"Read stored data: latest values, history, candles, alerts, pulls, assets, "
                 "series, or one read-only SQL statement",
                 "tm-query"};
    cli::CommonOptions common;
    cli::add_common(app, common);
    std::string view_name = "latest";
    query::Filter f;
    jobs::QueryOptions o;
    std::optional<std::string> since, until, statement_timeout;
    std::vector<std::string> assets;
    std::optional<int> days;
    bool csv = false, json = false, ndjson = false;
    app.add_option("view",
                   view_name,
                   "latest (newest value per series, with its age), history, ohlcv (daily "
                   "candles), alerts, pulls, pull_errors (each run's failures), assets, series")
        ->check(CLI::IsMember(query::view_names()));
    app.add_option("--source", f.source, "Only this source");
    app.add_option("--asset", assets, "Only these assets (comma list, repeatable)");
    app.add_option("--kind", f.kind, "Only assets of this kind")
        ->check(CLI::IsMember(store::asset_kind_names()));
    app.add_option(
        "--metric", f.metric, "A metric, or a family: FEES matches FEES, FEES_24H, CHAIN_FEES_24H");
    app.add_option(
        "--entity", f.entity, "Every source's series of this entity (config/entities.csv)");
    app.add_option("--since", since, "From this day or time (UTC)");
    app.add_option("--until", until, "Before this day or time (UTC)");
    app.add_option("--days", days, "The last N days")->check(CLI::Range(1, 36'500));
    app.add_option("--limit", f.limit, "At most N rows (a table defaults to 1000)")
        ->check(CLI::Range(1LL, 1'000'000'000'000LL));
    app.add_option("--interval", f.interval, "history: one row per series and hour, day or week")
        ->check(CLI::IsMember({"hour", "day", "week"}));
    app.add_option("--agg", f.agg, "with --interval: last (default), first, avg, min, max or sum")
        ->check(CLI::IsMember({"last", "first", "avg", "min", "max", "sum"}));
    app.add_option("--status", f.status, "alerts: open (default), resolved or all")
        ->check(CLI::IsMember({"open", "resolved", "all"}));
    app.add_option("--sql",
                   o.sql,
                   "Run one query (SELECT, VALUES, TABLE, WITH) as the read-only role, in a "
                   "read-only transaction, instead of a view");
    app.add_option("--statement-timeout",
                   statement_timeout,
                   "With --sql: cancel the query after this long (default 60s)");
    app.add_flag(
        "--interactive",
        o.interactive,
        "On a terminal: pick source, asset, metric and days from lists, then show or export");
    app.add_flag("--csv", csv, "CSV (RFC 4180 quoting, header row), streamed");
    app.add_flag("--json", json, "One JSON array of objects, streamed");
    app.add_flag("--ndjson", ndjson, "One JSON object per line, streamed");
    app.add_flag("--csv-safe",
                 f.csv_safe,
                 "Prefix a ' to text cells a spreadsheet would run as a formula (=, +, -, @)");
    app.add_option(
        "--sort", f.sort, "Order rows by this column first (any format; e.g. value, age, name)");
    app.add_flag("--desc", f.desc, "With --sort: largest first");
    app.add_option("-o,--output", o.output, "Write to FILE atomically instead of stdout");

    return cli::run_main(app, common, argc, argv, [&](report::RunMetrics&) {
        if (csv + json + ndjson > 1) {
            throw core::UsageError("choose one of --csv, --json and --ndjson");
        }
        const auto view = *query::view_named(view_name);
        check_flags_for_view(app, view, f, o);
        if (f.source) {
            sources::require_source(*f.source);
        }
        for (const auto& a : assets) {
            for (auto& item : core::strings::split_list(a)) {
                f.assets.push_back(std::move(item));
            }
        }
        if (!assets.empty() && f.assets.empty()) {
            throw core::UsageError("--asset names nothing; give a comma list such as a,b");
        }
        if (since) {
            f.since = cli::parse_time_flag("--since", *since);
        }
        if (until) {
            f.until = cli::parse_time_flag("--until", *until);
        }
        if (days) {
            f.since = core::Clock::now() - *days * std::chrono::days{1};
        }
        o.format = csv      ? report::Format::csv
                   : json   ? report::Format::json
                   : ndjson ? report::Format::ndjson
                            : report::Format::table;
        if (!f.limit && o.format == report::Format::table && !o.output) {
            f.limit = 1000;
        }
        o.db = common.db;
        o.view = view;
        o.filter = f;
        if (statement_timeout) {
            o.statement_timeout =
                cli::parse_duration_flag("--statement-timeout", *statement_timeout);
        }
        return jobs::run_query(o);
    });
}
