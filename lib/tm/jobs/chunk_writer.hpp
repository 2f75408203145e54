#pragma once

#include <tm/db/connection.hpp>
#include <tm/sources/source.hpp>
#include <tm/store/batch.hpp>
#include <tm/store/point_writer.hpp>
#include <tm/store/series_dictionary.hpp>

#include <condition_variable>
#include <exception>
#include <map>
#include <mutex>
#include <string>
#include <thread>

namespace jobs {

// Commits a backfill's chunks on a thread of its own, so that PostgreSQL writes one group of
// chunks while the HTTP engine receives and parses the next (issue 16 §3). Each group is one
// transaction holding its points and the backfill_progress rows of the chunks they complete,
// so a kill still loses whole chunks only. The writer owns `conn` from construction until it is
// destroyed: nothing else may use the connection meanwhile.
class ChunkWriter {
public:
    using Progress = std::map<sources::ProgressKey, core::Time>;

    ChunkWriter(db::Connection& conn, std::string source, store::Policy policy, int64_t pull_id);
    // Stops the thread after the transaction in progress, if any; what is still queued is not
    // written (drain() first to keep it).
    ~ChunkWriter();
    ChunkWriter(const ChunkWriter&) = delete;
    ChunkWriter& operator=(const ChunkWriter&) = delete;

    // Queues the points and progress rows of `chunks` whole chunks. While the writer is busy,
    // what is queued gathers into one group (one transaction once it is free); past
    // `k_max_queued` points this waits for the writer to take them (PostgreSQL is the
    // bottleneck, and the HTTP engine waits with it). Rethrows the error of a failed write.
    void submit(store::Batch&& points, Progress&& progress, int chunks);

    // Waits until everything submitted is committed; rethrows the error of a failed write.
    void drain();

    // Rethrows the error of a failed write, if one failed.
    void check();

    store::WriteCounts counts() const;
    int chunks_written() const;

    static constexpr size_t k_max_queued = 1'000'000;

private:
    struct Group {
        store::Batch points;
        Progress progress;
        int chunks = 0;
    };
    void run();
    store::WriteCounts write(const Group& group);
    void rethrow_locked();

    db::Connection& m_conn;
    std::string m_source;
    store::Policy m_policy;
    int64_t m_pull_id;
    store::SeriesDictionary m_dictionary; // the writer thread's, like the connection
    store::PointWriter m_writer;

    mutable std::mutex m_mutex;
    std::condition_variable m_changed;
    Group m_queued;      // submitted, not yet taken by the writer
    bool m_busy = false; // a group is being written
    bool m_stop = false; // the destructor asks the thread to end
    std::exception_ptr m_error;
    store::WriteCounts m_counts;
    int m_chunks_written = 0;
    std::thread m_thread; // last: starts once everything above exists
};

} // namespace jobs
