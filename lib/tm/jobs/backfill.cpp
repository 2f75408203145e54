#include <tm/core/interrupt.hpp>
#include <tm/core/log.hpp>
#include <tm/jobs/backfill.hpp>
#include <tm/jobs/chunk_writer.hpp>
#include <tm/jobs/progress.hpp>
#include <tm/jobs/source_run.hpp>
#include <tm/store/asset_writer.hpp>
#include <tm/store/backfill_progress.hpp>

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

// [from, to): the complete days the options ask for. Throws core::UsageError when none is left.
std::pair<core::Time, core::Time> backfill_days(const BackfillOptions& options, core::Time now) {
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
    return {from, to};
}

// Chunks on their way to the ChunkWriter's thread (PostgreSQL writes a group while the next one
// arrives), grouped into transactions up to a size: each commits with its own progress rows
// either way, so a kill still loses whole chunks only, and the per-transaction cost
// (round-trips, COPY start, commit) is paid per group instead of per chunk.
class ChunkQueue {
public:
    ChunkQueue(std::unique_ptr<ChunkWriter> writer, core::Time from, core::Time to)
        : m_writer(std::move(writer)), m_from(from), m_to(to) {}

    // The backfill's sink: the chunk's points inside [from, to) and its progress rows.
    void add(const sources::Chunk& chunk, store::Batch& parsed) {
        if (m_pending_chunks == 0) {
            m_first_pending = SteadyClock::now();
        }
        store::Batch kept = within(std::move(parsed), m_from, m_to);
        m_received += static_cast<long long>(kept.size());
        m_pending.append(std::move(kept));
        ++m_pending_chunks;
        for (const auto& key : chunk.keys) {
            auto [it, inserted] = m_pending_progress.try_emplace(key, chunk.through);
            if (!inserted) {
                it->second = std::max(it->second, chunk.through);
            }
        }
        if (m_pending.size() >= 250'000) {
            hand_over();
        }
    }

    void hand_over() {
        if (m_pending_chunks > 0) {
            m_writer->submit(std::move(m_pending), std::move(m_pending_progress), m_pending_chunks);
            m_pending.clear();
            m_pending_progress.clear();
            m_pending_chunks = 0;
        }
    }

    // At each turn of the HTTP engine: what has arrived is handed over within about a second,
    // even while a slow request is pending, and a failed write ends the run.
    void tick() {
        m_writer->check();
        if (m_pending_chunks > 0 && SteadyClock::now() - m_first_pending >= 1s) {
            hand_over();
        }
    }

    // Everything that arrived, committed: the writer's thread ends and the connection is the
    // job's again. Returns the chunks written.
    int commit_all(store::WriteCounts& counts) {
        hand_over();
        m_writer->drain();
        counts = m_writer->counts();
        const int chunks = m_writer->chunks_written();
        m_writer.reset();
        return chunks;
    }

    // After `error` ended the run: stopped by a signal, chunks that arrived whole are as good as
    // committed ones, so they are kept and the next run resumes after them; nothing else is
    // written. Either way the writer's thread ends and the connection is free.
    void abandon(const std::exception& error, store::WriteCounts& counts) {
        if (m_writer && dynamic_cast<const core::Interrupted*>(&error) != nullptr) {
            try {
                commit_all(counts);
            } catch (const std::exception& flush_error) {
                core::log::error("could not commit the chunks that had arrived: {}",
                                 flush_error.what());
            }
        }
        if (m_writer) {
            counts = m_writer->counts();
            m_writer.reset();
        }
    }

    // Points of whole chunks, handed to the writer or not.
    long long received() const { return m_received; }

private:
    std::unique_ptr<ChunkWriter> m_writer;
    core::Time m_from;
    core::Time m_to;
    store::Batch m_pending;
    int m_pending_chunks = 0;
    ChunkWriter::Progress m_pending_progress;
    long long m_received = 0;
    SteadyClock::time_point m_first_pending = SteadyClock::now(); // the oldest pending chunk's
};

} // namespace

core::ExitCode run_backfill(const BackfillOptions& options, report::RunMetrics& metrics) {
    core::interrupt::install();
    auto source = sources::make_source(options.source, sources::Mode::backfill, options.selection);
    const core::Time now = core::Clock::now();
    const auto [from, to] = backfill_days(options, now);
    SourceRun run(options.source, options.db, store::PullKind::backfill, options.args, metrics);
    auto& conn = run.conn();
    auto progress_rows = options.restart ? std::map<sources::ProgressKey, core::Time>{}
                                         : store::load_progress(conn, options.source);

    store::PullSummary summary;
    http::Client http(options.http);
    const store::Policy policy =
        options.overwrite ? store::Policy::overwrite : store::Policy::backfill;
    Progress progress(options.progress, options.progress_interval);
    std::unique_ptr<sources::BackfillContext> ctx;
    ChunkQueue queue(
        std::make_unique<ChunkWriter>(conn, options.source, policy, run.pull_id()), from, to);
    int chunks_written = 0;
    try {
        source->configure(http);
        http.on_tick([&] {
            queue.tick();
            progress.update(
                http.stats().answered, http.stats().answered + http.pending(), queue.received());
        });
        ctx = std::make_unique<sources::BackfillContext>(
            http,
            now,
            from,
            to,
            std::move(progress_rows),
            [&queue](const sources::Chunk& chunk, store::Batch& parsed) {
                queue.add(chunk, parsed);
            });
        for (int phase = 0;; ++phase) {
            const bool more = source->plan_backfill(*ctx, phase);
            http.run();
            queue.hand_over();
            if (!more) {
                break;
            }
        }
        chunks_written = queue.commit_all(summary.counts);
        progress.finish(http.stats().answered, http.stats().answered, queue.received());
        if (ctx->skipped() > 0) {
            core::log::info("{} chunks were completed by an earlier run and skipped (--restart "
                            "fetches them again)",
                            ctx->skipped());
        }
        // The last moment a signal stops the backfill: the journal's last word follows.
        core::interrupt::check();
        run.summarize(summary, http, ctx->errors(), ctx->succeeded(), ctx->nothing_named());
        db::Transaction tx(conn);
        if (!ctx->nothing_named()) {
            store::write_assets(conn, ctx->assets());
        }
        run.journal().finish(run.pull_id(), summary);
        tx.commit();
    } catch (const std::exception& e) {
        queue.abandon(e, summary.counts);
        run.summarize(summary, http, {}, 0);
        run.record_failure(summary, e);
        throw;
    }
    core::log::info("{} chunks written, through {}", chunks_written, core::format_date(to - 24h));
    return run.report(summary);
}

} // namespace jobs
