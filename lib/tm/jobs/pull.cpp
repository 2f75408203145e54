#include <tm/core/log.hpp>
#include <tm/db/advisory_lock.hpp>
#include <tm/db/migrate.hpp>
#include <tm/db/target.hpp>
#include <tm/jobs/pull.hpp>
#include <tm/sources/source.hpp>
#include <tm/store/asset_writer.hpp>
#include <tm/store/journal.hpp>
#include <tm/store/point_writer.hpp>
#include <tm/store/series_dictionary.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <tuple>

namespace jobs {
namespace {

core::ExitCode exit_code_of(store::PullStatus status) {
    switch (status) {
    case store::PullStatus::ok:
        return core::ExitCode::ok;
    case store::PullStatus::partial:
        return core::ExitCode::partial;
    case store::PullStatus::failed:
        return core::ExitCode::failed;
    }
    return core::ExitCode::failed;
}

} // namespace

core::ExitCode run_pull(const PullOptions& options) {
    auto source = sources::make_source(options.source);
    const db::Target target = db::select_target(options.db);
    db::Connection conn = db::connect(target);
    db::require_schema(conn);

    db::AdvisoryLock lock(conn, "tm:source:" + options.source);
    store::Journal journal(conn);
    if (!lock.try_acquire()) {
        std::string holder = "another tm process";
        if (auto running = journal.running(options.source)) {
            holder = fmt::format("pull {} (pid {} on {}, started {})",
                                 running->pull_id,
                                 running->pid,
                                 running->host,
                                 running->started_at);
        }
        throw core::Error(fmt::format("{} is already being pulled by {}; not starting a second run",
                                      options.source,
                                      holder),
                          core::ExitCode::locked);
    }
    journal.close_interrupted(options.source);
    const int64_t pull_id = journal.start(options.source, store::PullKind::pull, options.args);
    core::log::info("pull {} of {} started", pull_id, options.source);

    store::PullSummary summary;
    http::Client http(options.http);
    try {
        source->configure(http);
        sources::PullContext ctx(http, core::Clock::now(), options.bucket);
        source->plan_pull(ctx);
        http.run();

        summary.requests = http.stats().requests;
        summary.failed_requests = http.stats().failed_requests;
        summary.errors = ctx.errors();
        // Completion order depends on timing; the journal should not.
        std::sort(summary.errors.begin(), summary.errors.end(), [](const auto& a, const auto& b) {
            return std::tie(a.request, a.asset) < std::tie(b.request, b.asset);
        });
        if (ctx.failed() > 0) {
            summary.status =
                ctx.succeeded() > 0 ? store::PullStatus::partial : store::PullStatus::failed;
            summary.error =
                fmt::format("{}: {}", summary.errors.front().request, summary.errors.front().error);
        }

        store::SeriesDictionary dictionary(conn);
        const auto ids = dictionary.resolve(ctx.points());
        db::Transaction tx(conn);
        store::PointWriter writer(conn);
        summary.counts = writer.write(ctx.points(), ids, store::Policy::live, pull_id);
        store::write_assets(conn, ctx.assets());
        journal.finish(pull_id, summary);
        tx.commit();
    } catch (const std::exception& e) {
        summary.status = store::PullStatus::failed;
        summary.error = e.what();
        summary.requests = http.stats().requests;
        summary.failed_requests = http.stats().failed_requests;
        summary.counts = {};
        if (conn.alive()) {
            try {
                journal.finish(pull_id, summary);
            } catch (const std::exception& journal_error) {
                core::log::error(
                    "could not record the failure of pull {}: {}", pull_id, journal_error.what());
            }
        } else {
            core::log::error("pull {} failed and the database is gone, so the journal still says "
                             "running; the next run marks it failed",
                             pull_id);
        }
        throw;
    }

    if (summary.status == store::PullStatus::failed) {
        core::log::error("pull {} of {} failed: {}", pull_id, options.source, summary.error);
    }
    const auto& c = summary.counts;
    core::log::info(
        "pull {} of {} {}: {} requests ({} failed), {} points: {} inserted, {} updated, "
        "{} unchanged",
        pull_id,
        options.source,
        store::to_string(summary.status),
        summary.requests,
        summary.failed_requests,
        c.seen,
        c.inserted,
        c.updated,
        c.unchanged);
    return exit_code_of(summary.status);
}

} // namespace jobs
