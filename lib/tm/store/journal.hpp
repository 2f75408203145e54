#pragma once

#include <tm/db/connection.hpp>
#include <tm/store/point_writer.hpp>
#include <tm/store/pull_error.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace store {

enum class PullKind { pull, backfill };
enum class PullStatus { ok, partial, failed };

std::string_view to_string(PullStatus status);
std::string_view to_string(PullKind kind); // "pull", "backfill"

struct PullSummary {
    PullStatus status = PullStatus::ok;
    WriteCounts counts;
    long requests = 0;
    long failed_requests = 0;
    std::string error; // first line of what went wrong, when not ok
    std::vector<PullError> errors;
    // None of the assets the run was given exists at the source: failed, and a usage error's
    // exit code (2) rather than a failure's.
    bool nothing_named = false;
};

struct RunningPull {
    int64_t pull_id;
    std::string started_at;
    int pid;
    std::string host;
};

// The pulls journal (ARCHITECTURE §3): a row is `running` from start() and ends ok, partial or
// failed, even when the run itself fails.
class Journal {
public:
    explicit Journal(db::Connection& conn) : m_conn(conn) {}

    // Marks `running` rows of `source` and `kind` as failed. Call only while holding that
    // source's lock for `kind`: then no other such run can be alive, so the rows belong to killed
    // runs (a backfill running beside a pull is left alone).
    void close_interrupted(const std::string& source, PullKind kind);

    // Inserts the `running` row and commits it at once (so monitoring sees it). Returns pull_id.
    int64_t start(const std::string& source, PullKind kind, const std::string& args);

    // Writes the final status, counts and errors. Inside the pull's transaction when the
    // points commit; on its own after a failure.
    void finish(int64_t pull_id, const PullSummary& summary);

    // The newest running pull or backfill (`kind`) of `source`, for the "locked" message.
    std::optional<RunningPull> running(const std::string& source, PullKind kind);

private:
    db::Connection& m_conn;
};

} // namespace store
