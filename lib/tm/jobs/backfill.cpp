#include <tm/core/interrupt.hpp>
#include <tm/core/log.hpp>
#include <tm/jobs/backfill.hpp>
#include <tm/jobs/progress.hpp>
#include <tm/jobs/source_run.hpp>
#include <tm/store/asset_writer.hpp>
#include <tm/store/point_writer.hpp>
#include <tm/store/series_dictionary.hpp>

#include <fmt/format.h>

#include <chrono>
#include <map>

namespace jobs {
namespace {

using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

// Keeps the points inside [from, to).
store::Batch within(const store::Batch& in, core::Time from, core::Time to) {
    store::Batch out;
    std::vector<store::SeriesRef> remap(in.keys().size());
    for (size_t s = 0; s < in.keys().size(); ++s) {
        remap[s] = out.series(in.keys()[s]);
    }
    for (size_t i = 0; i < in.size(); ++i) {
        if (in.times()[i] >= from && in.times()[i] < to) {
            out.add(remap[in.refs()[i]], in.times()[i], in.values()[i]);
        }
    }
    return out;
}

} // namespace

core::ExitCode run_backfill(const BackfillOptions& options) {
    core::interrupt::install();
    auto source = sources::make_source(options.source, sources::Mode::backfill, options.selection);
    const core::Time now = core::Clock::now();
    const core::Time today = core::floor_to(now, 24h);
    // Complete days only: today's chart point is partial and belongs to live pulls.
    const core::Time to =
        options.until ? std::min(core::floor_to(*options.until, 24h) + 24h, today) : today;
    const core::Time from = options.since ? core::floor_to(*options.since, 24h) : core::Time::min();
    if (from >= to) {
        throw core::UsageError(
            fmt::format("nothing to backfill between --since {} and --until {} (today, {}, is "
                        "partial and left to live pulls)",
                        options.since ? core::format_date(*options.since) : "-",
                        core::format_date(to - 24h),
                        core::format_date(today)));
    }
    SourceRun run(options.source, options.db, store::PullKind::backfill, options.args);
    auto& conn = run.conn();
    std::map<sources::ProgressKey, core::Time> progress_rows;
    if (!options.restart) {
        const auto rows =
            conn.exec("SELECT asset, metric, (extract(epoch FROM done_through) * 1e6)::bigint "
                      "FROM backfill_progress WHERE source = $1",
                      {options.source});
        for (int i = 0; i < rows.rows(); ++i) {
            progress_rows[{std::string(rows.get(i, 0)), std::string(rows.get(i, 1))}] =
                core::Time{core::Duration{rows.get_int(i, 2)}};
        }
    }

    store::PullSummary summary;
    http::Client http(options.http);
    store::SeriesDictionary dictionary(conn);
    store::PointWriter writer(conn);
    const store::Policy policy =
        options.overwrite ? store::Policy::overwrite : store::Policy::backfill;
    Progress progress(options.progress, options.progress_interval);
    int chunks_written = 0;
    std::unique_ptr<sources::BackfillContext> ctx;

    // Chunks are grouped into one transaction up to a size: each commits with its own progress
    // rows either way, so a kill still loses whole chunks only, and the per-transaction cost
    // (round-trips, COPY start, commit) is paid per group instead of per chunk.
    store::Batch pending;
    int pending_chunks = 0;
    // Several chunks of one key (consecutive windows) may share a group: keep the latest end.
    std::map<sources::ProgressKey, core::Time> pending_progress;
    auto first_pending = SteadyClock::now(); // arrival of the oldest uncommitted chunk
    const auto flush = [&] {
        if (pending_chunks == 0) {
            return;
        }
        std::vector<std::string> assets, metrics, through;
        for (const auto& [key, time] : pending_progress) {
            assets.push_back(key.asset);
            metrics.push_back(key.metric);
            through.push_back(core::format_iso8601(time, core::Precision::micros));
        }
        const auto ids = dictionary.resolve(pending);
        writer.prepare(pending);
        db::Transaction tx(conn);
        summary.counts += writer.write(pending, ids, policy, run.pull_id());
        // GREATEST: a chunk never moves a resume point backwards (--since later than before).
        conn.exec(
            "INSERT INTO backfill_progress (source, asset, metric, done_through) "
            "SELECT $1, a, m, t FROM unnest($2::text[], $3::text[], $4::timestamptz[]) AS u(a, m, "
            "t) "
            "ON CONFLICT (source, asset, metric) DO UPDATE "
            "SET done_through = GREATEST(backfill_progress.done_through, EXCLUDED.done_through), "
            "updated_at = now()",
            {options.source,
             db::array_literal(assets),
             db::array_literal(metrics),
             db::array_literal(through)});
        tx.commit();
        chunks_written += pending_chunks;
        pending.clear();
        pending_chunks = 0;
        pending_progress.clear();
    };
    const auto sink = [&](const sources::Chunk& chunk, store::Batch& parsed) {
        if (pending_chunks == 0) {
            first_pending = SteadyClock::now();
        }
        pending.append(within(parsed, from, to));
        ++pending_chunks;
        for (const auto& key : chunk.keys) {
            auto [it, inserted] = pending_progress.try_emplace(key, chunk.through);
            if (!inserted) {
                it->second = std::max(it->second, chunk.through);
            }
        }
        if (pending.size() >= 250'000) {
            flush();
        }
    };
    const auto points_so_far = [&] {
        return summary.counts.seen + static_cast<long long>(pending.size());
    };
    try {
        source->configure(http);
        // What has arrived commits within about a second, even while a slow request is pending.
        http.on_tick([&] {
            if (pending_chunks > 0 && SteadyClock::now() - first_pending >= 1s) {
                flush();
            }
            progress.update(
                http.stats().answered, http.stats().answered + http.pending(), points_so_far());
        });
        ctx = std::make_unique<sources::BackfillContext>(
            http, now, from, to, std::move(progress_rows), sink);
        for (int phase = 0;; ++phase) {
            const bool more = source->plan_backfill(*ctx, phase);
            http.run();
            flush();
            if (!more) {
                break;
            }
        }
        progress.finish(http.stats().answered, http.stats().answered, points_so_far());
        if (ctx->skipped() > 0) {
            core::log::info("{} chunks were completed by an earlier run and skipped (--restart "
                            "fetches them again)",
                            ctx->skipped());
        }
        // The last moment a signal stops the backfill: the journal's last word follows.
        core::interrupt::check();
        SourceRun::summarize(summary, http, ctx->errors(), ctx->succeeded());
        db::Transaction tx(conn);
        store::write_assets(conn, ctx->assets());
        run.journal().finish(run.pull_id(), summary);
        tx.commit();
    } catch (const std::exception& e) {
        if (dynamic_cast<const core::Interrupted*>(&e) != nullptr) {
            // Stopped by a signal: chunks that arrived whole are as good as committed ones, so
            // keep them and the next run resumes after them. Nothing else is written.
            try {
                flush();
            } catch (const std::exception& flush_error) {
                core::log::error("could not commit the chunks that had arrived: {}",
                                 flush_error.what());
            }
        }
        SourceRun::summarize(summary, http, {}, 0);
        run.record_failure(summary, e);
        throw;
    }
    core::log::info("{} chunks written, through {}", chunks_written, core::format_date(to - 24h));
    return run.report(summary);
}

} // namespace jobs
