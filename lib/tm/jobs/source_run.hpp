#pragma once

#include <tm/core/error.hpp>
#include <tm/db/advisory_lock.hpp>
#include <tm/db/connection.hpp>
#include <tm/http/client.hpp>
#include <tm/report/metrics_file.hpp>
#include <tm/store/journal.hpp>

#include <memory>
#include <optional>
#include <string>

namespace jobs {

// What a pull and a backfill share: the database (schema checked), the source lock (exit 5
// naming the holder), the journal row, and the journal's last word however the run ends.
class SourceRun {
public:
    // Connects, checks the schema, takes the lock, closes interrupted runs and starts the
    // journal row. Throws core::Error (2, 4 or 5) before anything is written.
    // `metrics` (the run's metrics file) learns the source before anything can fail, then the
    // requests (summarize) and the points and errors (report).
    SourceRun(const std::string& source,
              const std::optional<std::string>& db,
              store::PullKind kind,
              const std::string& args,
              report::RunMetrics& metrics);

    db::Connection& conn() { return *m_conn; }
    store::Journal& journal() { return m_journal; }
    int64_t pull_id() const { return m_pull_id; }

    // Fills the request counters of `summary` from `http` and derives status and error from
    // `errors` (ok / partial when something succeeded / failed when nothing did, or when
    // `nothing_named`: none of the assets the run was given exists).
    void summarize(store::PullSummary& summary,
                   const http::Client& http,
                   std::vector<store::PullError> errors,
                   int succeeded,
                   bool nothing_named = false);

    // Records a run that threw: the journal says failed (if the database still answers).
    void record_failure(store::PullSummary summary, const std::exception& error);

    // Logs the one-line outcome and maps the status to the exit code (2 when nothing named
    // exists).
    core::ExitCode report(const store::PullSummary& summary) const;

private:
    std::string m_source;
    std::string m_kind;
    report::RunMetrics& m_metrics;
    std::unique_ptr<db::Connection> m_conn;
    std::unique_ptr<db::AdvisoryLock> m_lock;
    store::Journal m_journal;
    int64_t m_pull_id = 0;
};

} // namespace jobs
