#include <tm/core/process.hpp>
#include <tm/core/secrets.hpp>
#include <tm/store/journal.hpp>

#include <unistd.h>

namespace store {

std::string_view to_string(PullStatus status) {
    switch (status) {
    case PullStatus::ok:
        return "ok";
    case PullStatus::partial:
        return "partial";
    case PullStatus::failed:
        return "failed";
    }
    return "failed";
}

std::string_view to_string(PullKind kind) {
    return kind == PullKind::pull ? "pull" : "backfill";
}

void Journal::close_interrupted(const std::string& source, PullKind kind) {
    m_conn.exec("UPDATE pulls SET status = 'failed', finished_at = now(), "
                "error = 'interrupted: the process ended before finishing (killed or crashed)' "
                "WHERE source = $1 AND kind = $2 AND status = 'running'",
                {source, std::string(to_string(kind))});
}

int64_t Journal::start(const std::string& source, PullKind kind, const std::string& args) {
    const auto r = m_conn.exec("INSERT INTO pulls (source, kind, args, pid, host) "
                               "VALUES ($1, $2, $3, $4, $5) RETURNING pull_id",
                               {source,
                                std::string(to_string(kind)),
                                core::secrets::redact(args),
                                std::to_string(::getpid()),
                                core::process::host_name()});
    return r.get_int(0, 0);
}

void Journal::finish(int64_t pull_id, const PullSummary& s) {
    const std::string id = std::to_string(pull_id);
    m_conn.exec(R"(
        UPDATE pulls SET finished_at = now(), status = $2, requests = $3, failed_requests = $4,
               points_seen = $5, points_inserted = $6, points_updated = $7, error = $8
         WHERE pull_id = $1)",
                {id,
                 std::string(to_string(s.status)),
                 std::to_string(s.requests),
                 std::to_string(s.failed_requests),
                 std::to_string(s.counts.seen),
                 std::to_string(s.counts.inserted),
                 std::to_string(s.counts.updated),
                 s.error.empty() ? std::nullopt : std::optional(core::secrets::redact(s.error))});
    if (s.errors.empty()) {
        return;
    }
    std::vector<std::string> assets, requests, errors;
    for (const auto& e : s.errors) {
        assets.push_back(core::secrets::redact(e.asset));
        requests.push_back(core::secrets::redact(e.request));
        errors.push_back(core::secrets::redact(e.failure ? e.error : "skipped: " + e.error));
    }
    m_conn.exec(
        "INSERT INTO pull_errors (pull_id, asset, request, error) "
        "SELECT $1, nullif(a, ''), nullif(r, ''), e "
        "FROM unnest($2::text[], $3::text[], $4::text[]) AS u(a, r, e)",
        {id, db::array_literal(assets), db::array_literal(requests), db::array_literal(errors)});
}

std::optional<RunningPull> Journal::running(const std::string& source, PullKind kind) {
    const auto r = m_conn.exec("SELECT pull_id, to_char(started_at AT TIME ZONE 'UTC', "
                               "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), coalesce(pid, 0), "
                               "coalesce(host, '') FROM pulls WHERE source = $1 AND kind = $2 "
                               "AND status = 'running' ORDER BY pull_id DESC LIMIT 1",
                               {source, std::string(to_string(kind))});
    if (r.rows() == 0) {
        return std::nullopt;
    }
    return RunningPull{r.get_int(0, 0),
                       std::string(r.get(0, 1)),
                       static_cast<int>(r.get_int(0, 2)),
                       std::string(r.get(0, 3))};
}

} // namespace store
