#include <tm/core/interrupt.hpp>
#include <tm/core/log.hpp>
#include <tm/db/target.hpp>
#include <tm/jobs/pull.hpp>
#include <tm/jobs/source_run.hpp>
#include <tm/query/feed_status.hpp>
#include <tm/report/metrics_file.hpp>
#include <tm/rules/rules_file.hpp>
#include <tm/store/asset_writer.hpp>
#include <tm/store/point_writer.hpp>
#include <tm/store/series_dictionary.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>

namespace jobs {

namespace {

// The feed's freshness for alerting: its newest point after this write and the age at which it
// counts as stale (the shipped rules' staleness limit, as tm status and tm detect judge it). A
// stale API shows even while every pull succeeds, and a feed whose pulls stop shows too, as the
// metrics file's newest point grows old. Best effort: the pull itself has committed.
void record_freshness(db::Connection& conn,
                      const std::string& source,
                      report::RunMetrics& metrics) {
    try {
        if (const auto newest = query::newest_point(conn, source, core::Clock::now())) {
            metrics.newest_point_unix =
                std::chrono::duration<double>(newest->time_since_epoch()).count();
        }
        const auto limits = query::feed_limits(rules::load_rules(std::nullopt));
        if (const auto it = limits.max_age.find(source); it != limits.max_age.end()) {
            metrics.max_age_seconds = std::chrono::duration<double>(it->second).count();
        }
    } catch (const std::exception& e) {
        core::log::warn("the metrics file will not show how fresh {} is: {}", source, e.what());
    }
}

// One snapshot: lock, journal, fetch, write (the candles of what it wrote included).
core::ExitCode
pull_once(sources::Source& source, const PullOptions& options, report::RunMetrics& metrics) {
    SourceRun run(options.source, options.db, store::PullKind::pull, options.args, metrics);
    store::PullSummary summary;
    http::Client http(options.http);
    try {
        source.configure(http);
        sources::PullContext ctx(http, core::Clock::now(), options.bucket);
        for (int phase = 0;; ++phase) {
            const bool more = source.plan_pull(ctx, phase);
            http.run();
            if (!more) {
                break;
            }
        }
        // The last moment a signal stops the pull: from here it writes everything or nothing.
        core::interrupt::check();
        run.summarize(summary, http, ctx.errors(), ctx.succeeded(), ctx.nothing_named());
        // Nothing named exists: nothing is stored, not even what the lists said about others.
        const store::Batch points =
            ctx.nothing_named() ? store::Batch() : source.select(ctx.points(), ctx.assets());

        store::SeriesDictionary dictionary(run.conn());
        const auto ids = dictionary.resolve(points);
        store::PointWriter writer(run.conn());
        writer.prepare(points);
        db::Transaction tx(run.conn());
        summary.counts = writer.write(points, ids, store::Policy::live, run.pull_id());
        if (!ctx.nothing_named()) {
            store::write_assets(run.conn(), ctx.assets());
        }
        run.journal().finish(run.pull_id(), summary);
        tx.commit();
    } catch (const std::exception& e) {
        run.summarize(summary, http, {}, 0);
        summary.counts = {};
        run.record_failure(summary, e);
        throw;
    }
    record_freshness(run.conn(), options.source, metrics);
    return run.report(summary);
}

} // namespace

core::ExitCode run_pull(const PullOptions& options, report::RunMetrics& metrics) {
    core::interrupt::install();
    auto source = sources::make_source(options.source, sources::Mode::pull, options.selection);
    if (options.every.has_value() != options.duration.has_value()) {
        throw core::UsageError(
            "--every and --for go together: --every 5s --for 55s samples every 5 s for 55 s");
    }
    if (!options.every) {
        return pull_once(*source, options, metrics);
    }
    const auto& info = source->info();
    const double budget = options.http.rate_per_minute.value_or(info.budget_per_minute);
    const double per_minute =
        info.pull_cost * 60.0 / std::chrono::duration<double>(*options.every).count();
    if (per_minute > budget) {
        throw core::UsageError(
            fmt::format("--every {} needs {:.0f} requests a minute from {}, whose budget is {:.0f} "
                        "a minute; sample less often (or raise it with --rate-limit)",
                        core::format_duration(*options.every),
                        per_minute,
                        options.source,
                        budget));
    }
    using SteadyClock = std::chrono::steady_clock;
    const auto start = SteadyClock::now();
    const auto end = start + *options.duration;
    core::ExitCode worst = core::ExitCode::ok;
    for (long k = 1;; ++k) {
        const auto next = start + k * *options.every;
        const bool last = next >= end;
        const auto code = pull_once(*source, options, metrics);
        // failed outranks usage (nothing named exists), which outranks partial, then ok
        const auto rank = [](core::ExitCode c) {
            return c == core::ExitCode::failed    ? 3
                   : c == core::ExitCode::usage   ? 2
                   : c == core::ExitCode::partial ? 1
                                                  : 0;
        };
        if (rank(code) > rank(worst)) {
            worst = code;
        }
        if (last) {
            break;
        }
        core::interrupt::sleep_until(next);
    }
    return worst;
}

} // namespace jobs
