#include <tm/jobs/chunk_writer.hpp>
#include <tm/store/backfill_progress.hpp>

#include <pthread.h>

#include <csignal>
#include <utility>

namespace jobs {

ChunkWriter::ChunkWriter(db::Connection& conn,
                         std::string source,
                         store::Policy policy,
                         int64_t pull_id)
    : m_conn(conn), m_source(std::move(source)), m_policy(policy), m_pull_id(pull_id),
      m_dictionary(conn), m_writer(conn), m_thread([this] { run(); }) {}

ChunkWriter::~ChunkWriter() {
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
    }
    m_changed.notify_all();
    m_thread.join();
}

void ChunkWriter::rethrow_locked() {
    if (m_error) {
        std::rethrow_exception(m_error);
    }
}

void ChunkWriter::submit(store::Batch&& points, Progress&& progress, int chunks) {
    std::unique_lock lock(m_mutex);
    m_changed.wait(lock, [&] { return m_error || m_queued.points.size() < k_max_queued; });
    rethrow_locked();
    m_queued.points.append(std::move(points));
    // Several chunks of one key (consecutive windows) may share a group: keep the latest end.
    for (auto& [key, through] : progress) {
        auto [it, inserted] = m_queued.progress.try_emplace(key, through);
        if (!inserted) {
            it->second = std::max(it->second, through);
        }
    }
    m_queued.chunks += chunks;
    lock.unlock();
    m_changed.notify_all();
}

void ChunkWriter::drain() {
    std::unique_lock lock(m_mutex);
    m_changed.wait(lock, [&] { return m_error || (m_queued.chunks == 0 && !m_busy); });
    rethrow_locked();
}

void ChunkWriter::check() {
    std::lock_guard lock(m_mutex);
    rethrow_locked();
}

store::WriteCounts ChunkWriter::counts() const {
    std::lock_guard lock(m_mutex);
    return m_counts;
}

int ChunkWriter::chunks_written() const {
    std::lock_guard lock(m_mutex);
    return m_chunks_written;
}

store::WriteCounts ChunkWriter::write(const Group& group) {
    const auto ids = m_dictionary.resolve(group.points);
    m_writer.prepare(group.points); // the months' partitions, each in a short transaction
    db::Transaction tx(m_conn);
    // The candles of the buckets the group touched are refreshed in the same transaction.
    const store::WriteCounts counts = m_writer.write(group.points, ids, m_policy, m_pull_id);
    store::advance_progress(m_conn, m_source, group.progress);
    tx.commit();
    return counts;
}

void ChunkWriter::run() {
    // Signals are the main thread's: it stops the HTTP engine, then drains what arrived.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    for (;;) {
        Group group;
        {
            std::unique_lock lock(m_mutex);
            m_changed.wait(lock, [&] { return m_stop || m_queued.chunks > 0; });
            if (m_stop) {
                return;
            }
            group = std::exchange(m_queued, Group{});
            m_busy = true;
        }
        m_changed.notify_all(); // room for the next group
        store::WriteCounts counts;
        try {
            counts = write(group);
        } catch (...) {
            std::lock_guard lock(m_mutex);
            m_error = std::current_exception();
            m_busy = false;
            m_changed.notify_all();
            return;
        }
        {
            std::lock_guard lock(m_mutex);
            m_counts += counts;
            m_chunks_written += group.chunks;
            m_busy = false;
        }
        m_changed.notify_all();
    }
}

} // namespace jobs
