// tm-query: read stored points: the newest value of each series, or their history, as an
// aligned table or CSV.
#include <tm/cli/options.hpp>
#include <tm/core/strings.hpp>
#include <tm/db/migrate.hpp>
#include <tm/db/target.hpp>
#include <tm/query/history.hpp>
#include <tm/sources/source.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>

int main(int argc, char** argv) {
    CLI::App app{"Read stored points: the newest value of each series (latest) or their history",
                 "tm-query"};
    cli::CommonOptions common;
    cli::add_common(app, common);
    std::string view = "latest";
    std::optional<std::string> source, metric, entity, since, until;
    std::vector<std::string> assets;
    std::optional<int> days;
    std::optional<long long> limit;
    bool csv = false;
    bool refresh = false;
    app.add_option(
           "view", view, "latest (newest value per series), history, or ohlcv (daily candles)")
        ->check(CLI::IsMember({"latest", "history", "ohlcv"}));
    app.add_flag(
        "--refresh", refresh, "With ohlcv: rebuild daily_ohlcv from the stored points first");
    app.add_option("--source", source, "Only this source");
    app.add_option("--asset", assets, "Only these assets (comma list, repeatable)");
    app.add_option(
        "--metric", metric, "A metric, or a family: FEES matches FEES, FEES_24H, CHAIN_FEES_24H");
    app.add_option(
        "--entity", entity, "Every source's series of this entity (config/entities.csv)");
    app.add_option("--since", since, "From this day or time (UTC)");
    app.add_option("--until", until, "Before this day or time (UTC)");
    app.add_option("--days", days, "The last N days")->check(CLI::PositiveNumber);
    app.add_option("--limit", limit, "At most N rows (a table defaults to 1000)")
        ->check(CLI::PositiveNumber);
    app.add_flag("--csv", csv, "CSV (RFC 4180) with a header row, streamed");

    return cli::run_main(app, common, argc, argv, [&] {
        query::Filter f;
        if (source) {
            const auto names = sources::source_names();
            if (std::find(names.begin(), names.end(), *source) == names.end()) {
                throw core::UsageError(fmt::format(
                    "unknown source '{}' (known: {})", *source, fmt::join(names, ", ")));
            }
            f.source = source;
        }
        for (const auto& a : assets) {
            for (auto& item : core::strings::split_list(a)) {
                f.assets.push_back(std::move(item));
            }
        }
        f.metric = metric;
        f.entity = entity;
        if (since) {
            f.since = cli::parse_time_flag("--since", *since);
        }
        if (until) {
            f.until = cli::parse_time_flag("--until", *until);
        }
        if (days) {
            f.since = core::Clock::now() - *days * std::chrono::days{1};
        }
        f.limit = limit ? limit : (csv ? std::nullopt : std::optional<long long>(1000));
        db::Connection conn = db::connect(db::select_target(common.db));
        db::require_schema(conn);
        if (entity
            && conn.exec("SELECT 1 FROM entities WHERE entity = $1 LIMIT 1", {*entity}).rows()
                   == 0) {
            throw core::UsageError(fmt::format(
                "unknown entity '{}'; see config/entities.csv or SELECT DISTINCT entity FROM "
                "entities",
                *entity));
        }
        if (refresh) {
            if (view != "ohlcv") {
                throw core::UsageError(
                    "--refresh rebuilds daily_ohlcv; use it with the ohlcv view");
            }
            conn.exec("REFRESH MATERIALIZED VIEW CONCURRENTLY daily_ohlcv");
        }
        query::run(conn,
                   view == "latest"  ? query::View::latest
                   : view == "ohlcv" ? query::View::ohlcv
                                     : query::View::history,
                   f,
                   csv ? query::Format::csv : query::Format::table,
                   stdout);
        return core::ExitCode::ok;
    });
}
