#include <tm/core/interrupt.hpp>
#include <tm/core/log.hpp>
#include <tm/jobs/backfill.hpp>
#include <tm/jobs/chunk_writer.hpp>
#include <tm/jobs/progress.hpp>
#include <tm/jobs/source_run.hpp>
#include <tm/store/asset_writer.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>

namespace jobs {
namespace {

using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

// Keeps the points inside [from, to), without a copy when all of them are (the usual case).
store::Batch within(store::Batch&& in, core::Time from, core::Time to) {
    const auto& times = in.times();
    if (std::all_of(
            times.begin(), times.end(), [&](core::Time t) { return t >= from && t < to; })) {
        return std::move(in);
    }
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
    const store::Policy policy =
        options.overwrite ? store::Policy::overwrite : store::Policy::backfill;
    Progress progress(options.progress, options.progress_interval);
    std::unique_ptr<sources::BackfillContext> ctx;
    // Chunks are written on a thread of their own (PostgreSQL writes a group while the next one
    // arrives) and grouped into transactions up to a size: each commits with its own progress
    // rows either way, so a kill still loses whole chunks only, and the per-transaction cost
    // (round-trips, COPY start, commit) is paid per group instead of per chunk.
    auto writer = std::make_unique<ChunkWriter>(conn, options.source, policy, run.pull_id());
    store::Batch pending;
    int pending_chunks = 0;
    ChunkWriter::Progress pending_progress;
    long long received = 0;                  // points of whole chunks, handed to the writer or not
    auto first_pending = SteadyClock::now(); // arrival of the oldest chunk not handed over
    const auto hand_over = [&] {
        if (pending_chunks > 0) {
            writer->submit(std::move(pending), std::move(pending_progress), pending_chunks);
            pending.clear();
            pending_progress.clear();
            pending_chunks = 0;
        }
    };
    const auto sink = [&](const sources::Chunk& chunk, store::Batch& parsed) {
        if (pending_chunks == 0) {
            first_pending = SteadyClock::now();
        }
        store::Batch kept = within(std::move(parsed), from, to);
        received += static_cast<long long>(kept.size());
        pending.append(std::move(kept));
        ++pending_chunks;
        for (const auto& key : chunk.keys) {
            auto [it, inserted] = pending_progress.try_emplace(key, chunk.through);
            if (!inserted) {
                it->second = std::max(it->second, chunk.through);
            }
        }
        if (pending.size() >= 250'000) {
            hand_over();
        }
    };
    // Everything that arrived, committed: the writer's thread ends and `conn` is the job's again.
    const auto commit_all = [&] {
        hand_over();
        writer->drain();
        summary.counts = writer->counts();
        const int chunks = writer->chunks_written();
        writer.reset();
        return chunks;
    };
    int chunks_written = 0;
    try {
        source->configure(http);
        // What has arrived is handed over within about a second, even while a slow request is
        // pending; a failed write ends the run at the next turn of the HTTP engine.
        http.on_tick([&] {
            writer->check();
            if (pending_chunks > 0 && SteadyClock::now() - first_pending >= 1s) {
                hand_over();
            }
            progress.update(
                http.stats().answered, http.stats().answered + http.pending(), received);
        });
        ctx = std::make_unique<sources::BackfillContext>(
            http, now, from, to, std::move(progress_rows), sink);
        for (int phase = 0;; ++phase) {
            const bool more = source->plan_backfill(*ctx, phase);
            http.run();
            hand_over();
            if (!more) {
                break;
            }
        }
        chunks_written = commit_all();
        progress.finish(http.stats().answered, http.stats().answered, received);
        if (ctx->skipped() > 0) {
            core::log::info("{} chunks were completed by an earlier run and skipped (--restart "
                            "fetches them again)",
                            ctx->skipped());
        }
        // The last moment a signal stops the backfill: the journal's last word follows.
        core::interrupt::check();
        SourceRun::summarize(summary, http, ctx->errors(), ctx->succeeded(), ctx->nothing_named());
        db::Transaction tx(conn);
        if (!ctx->nothing_named()) {
            store::write_assets(conn, ctx->assets());
        }
        run.journal().finish(run.pull_id(), summary);
        tx.commit();
    } catch (const std::exception& e) {
        if (writer && dynamic_cast<const core::Interrupted*>(&e) != nullptr) {
            // Stopped by a signal: chunks that arrived whole are as good as committed ones, so
            // keep them and the next run resumes after them. Nothing else is written.
            try {
                commit_all();
            } catch (const std::exception& flush_error) {
                core::log::error("could not commit the chunks that had arrived: {}",
                                 flush_error.what());
            }
        }
        if (writer) {
            // A failed write (or the drain above): the thread ends, the connection is free.
            summary.counts = writer->counts();
            writer.reset();
        }
        SourceRun::summarize(summary, http, {}, 0);
        run.record_failure(summary, e);
        throw;
    }
    core::log::info("{} chunks written, through {}", chunks_written, core::format_date(to - 24h));
    return run.report(summary);
}

} // namespace jobs
