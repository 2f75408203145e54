#include <tm/core/log.hpp>
#include <tm/core/process.hpp>
#include <tm/db/migrate.hpp>
#include <tm/db/target.hpp>
#include <tm/jobs/source_run.hpp>
#include <tm/report/metrics_file.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <thread>
#include <tuple>

namespace jobs {
namespace {

// Names the run's source in its metrics before connecting, so that a run that cannot reach its
// database still reports under its source.
std::unique_ptr<db::Connection> connect_for(const std::string& source,
                                            const std::optional<std::string>& db,
                                            report::RunMetrics& metrics) {
    metrics.source = source;
    return std::make_unique<db::Connection>(db::connect(db::select_target(db, db::Role::writer)));
}

// A run killed a moment ago leaves its database session, and so the lock, behind until the
// server notices the closed connection. When the journal says the holder's process on this host
// is gone, wait for the lock (up to 10 s) instead of refusing.
bool wait_for_dead_holder(db::AdvisoryLock& lock,
                          const std::optional<store::RunningPull>& running) {
    if (!running || running->host != core::process::host_name()
        || core::process::is_running(running->pid)) {
        return false;
    }
    for (int i = 0; i < 100; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds{100});
        if (lock.try_acquire()) {
            return true;
        }
    }
    return false;
}

} // namespace

SourceRun::SourceRun(const std::string& source,
                     const std::optional<std::string>& db,
                     store::PullKind kind,
                     const std::string& args,
                     report::RunMetrics& metrics)
    : m_source(source), m_kind(store::to_string(kind)), m_metrics(metrics),
      m_conn(connect_for(source, db, metrics)), m_journal(*m_conn) {
    db::require_schema(*m_conn);
    // Two pulls of a source exclude each other, and so do two backfills; a pull and a backfill
    // run side by side (a long backfill must not cost live snapshots): they write different
    // days, and both writes are idempotent upserts in (series, ts) order.
    m_lock = std::make_unique<db::AdvisoryLock>(*m_conn, fmt::format("tm:{}:{}", m_kind, source));
    if (!m_lock->try_acquire() && !wait_for_dead_holder(*m_lock, m_journal.running(source, kind))) {
        std::string holder = "another tm process";
        if (auto running = m_journal.running(source, kind)) {
            holder = fmt::format("{} {} (pid {} on {}, started {})",
                                 m_kind,
                                 running->pull_id,
                                 running->pid,
                                 running->host,
                                 running->started_at);
        }
        throw core::Error(fmt::format("{} is already being {} by {}; not starting a second run",
                                      source,
                                      kind == store::PullKind::pull ? "pulled" : "backfilled",
                                      holder),
                          core::ExitCode::locked);
    }
    m_journal.close_interrupted(source, kind);
    m_pull_id = m_journal.start(source, kind, args);
    core::log::info("{} {} of {} started", m_kind, m_pull_id, source);
}

void SourceRun::summarize(store::PullSummary& summary,
                          const http::Client& http,
                          std::vector<store::PullError> errors,
                          int succeeded,
                          bool nothing_named) {
    summary.requests = http.stats().requests;
    summary.failed_requests = http.stats().failed_requests;
    m_metrics.http = http.stats();
    // Completion order depends on timing; the journal should not.
    std::sort(errors.begin(), errors.end(), [](const auto& a, const auto& b) {
        return std::tie(a.request, a.asset) < std::tie(b.request, b.asset);
    });
    summary.errors = std::move(errors);
    // Notices (things skipped on purpose) are listed but do not make a run partial.
    const auto first = std::find_if(
        summary.errors.begin(), summary.errors.end(), [](const auto& e) { return e.failure; });
    if (first != summary.errors.end()) {
        summary.nothing_named = nothing_named;
        summary.status = succeeded > 0 && !nothing_named ? store::PullStatus::partial
                                                         : store::PullStatus::failed;
        summary.error = fmt::format("{}{}: {}",
                                    first->request,
                                    first->asset.empty() ? "" : " (" + first->asset + ")",
                                    first->error);
    }
}

void SourceRun::record_failure(store::PullSummary summary, const std::exception& error) {
    summary.status = store::PullStatus::failed;
    summary.error = error.what();
    if (!m_conn->alive()) {
        core::log::error(
            "{} {} failed and the database is gone, so the journal still says running; "
            "the next run marks it failed",
            m_kind,
            m_pull_id);
        return;
    }
    try {
        // A failed statement may have left a transaction open.
        m_conn->exec("ROLLBACK");
        m_journal.finish(m_pull_id, summary);
    } catch (const std::exception& journal_error) {
        core::log::error(
            "could not record the failure of {} {}: {}", m_kind, m_pull_id, journal_error.what());
    }
}

core::ExitCode SourceRun::report(const store::PullSummary& summary) const {
    if (summary.status == store::PullStatus::failed) {
        core::log::error("{} {} of {} failed: {}", m_kind, m_pull_id, m_source, summary.error);
    }
    const auto& c = summary.counts;
    m_metrics.points_inserted = c.inserted;
    m_metrics.points_updated = c.updated;
    m_metrics.errors = static_cast<long long>(std::count_if(
        summary.errors.begin(), summary.errors.end(), [](const auto& e) { return e.failure; }));
    core::log::info(
        "{} {} of {} {}: {} requests ({} failed), {} points: {} inserted, {} updated, {} "
        "unchanged{}",
        m_kind,
        m_pull_id,
        m_source,
        store::to_string(summary.status),
        summary.requests,
        summary.failed_requests,
        c.seen,
        c.inserted,
        c.updated,
        c.unchanged,
        c.before_horizon == 0
            ? ""
            : fmt::format(", {} before their series' retention horizon (kept as rollups only)",
                          c.before_horizon));
    switch (summary.status) {
    case store::PullStatus::ok:
        return core::ExitCode::ok;
    case store::PullStatus::partial:
        return core::ExitCode::partial;
    case store::PullStatus::failed:
        return summary.nothing_named ? core::ExitCode::usage : core::ExitCode::failed;
    }
    return core::ExitCode::failed;
}

} // namespace jobs
