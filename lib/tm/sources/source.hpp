#pragma once

#include <tm/core/time.hpp>
#include <tm/http/client.hpp>
#include <tm/sources/selection.hpp>
#include <tm/store/asset.hpp>
#include <tm/store/batch.hpp>
#include <tm/store/progress_key.hpp>
#include <tm/store/pull_error.hpp>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sources {

struct Host {
    std::string env_var;     // override, e.g. TM_DEFILLAMA_URL
    std::string default_url; // e.g. https://api.llama.fi
    std::string purpose;
};

struct SourceInfo {
    std::string name;
    std::string summary;
    std::vector<Host> hosts;
    std::vector<std::string> key_vars; // API key variables (optional or required)
    core::Duration schedule;           // how often a live pull is expected to run
    // Its request budget in weight per minute, and what one live pull spends of it, for
    // refusing a `tm pull --every` the budget cannot sustain.
    double budget_per_minute = 60;
    double pull_cost = 1;
};

// Turns a response body into points and asset rows. Pure: no network, no database; throws
// json::ShapeError (or core::Error) naming the field when the body is not what it expects.
using Parser = std::function<void(std::string& body, store::Batch&, std::vector<store::Asset>&)>;

// Requests of one run and what went wrong with them.
class RunContext {
public:
    RunContext(http::Client& http, core::Time now) : m_http(http), m_now(now) {}
    virtual ~RunContext() = default;
    RunContext(const RunContext&) = delete;
    RunContext& operator=(const RunContext&) = delete;

    // Queues `request`; `handle(body)` runs when it answers 2xx with a body. An HTTP or
    // transport failure, or a core::DataError thrown by `handle`, becomes a PullError naming
    // `asset` (empty when a whole endpoint is meant). Other exceptions end the run.
    // `on_failure`, when given, sees a failed response first and may handle it (return true),
    // for example by splitting a batch that the API rejected.
    using FailureHandler = std::function<bool(const http::Response&)>;
    void request(http::Request request,
                 std::string asset,
                 std::function<void(std::string&)> handle,
                 FailureHandler on_failure = {});

    // Queues a request for a list the source plans with (its pairs, symbols, coin ids, dexes):
    // like request(), but its success is not data, so a run whose lists arrived and whose data
    // did not is failed, not partial.
    void lookup(http::Request request,
                std::function<void(std::string&)> handle,
                FailureHandler on_failure = {});

    // Records a failure that is not a request's (for example a plan step that found nothing).
    void record_error(std::string asset, std::string request, std::string error);
    // Records the names in `unknown`, given by the user (--assets, --config, --dex) but unknown
    // to the source or left out of its answer, each as one warning naming it with the closest
    // of `known` (the source's own names) and a pull_errors row. `what` says what a name is
    // ("Kraken pair"), `request` where the source's names came from. When they are all of the
    // `asked` names, nothing named exists: the run stores nothing and ends with exit 2.
    void report_unknown(const std::vector<std::string>& unknown,
                        size_t asked,
                        std::string_view what,
                        const std::vector<std::string>& known,
                        const std::string& request);
    // Records something skipped on purpose: listed in pull_errors, not a failure.
    void record_notice(std::string asset, std::string request, std::string message);

    core::Time now() const { return m_now; }
    http::Client& http() { return m_http; }
    std::vector<store::Asset>& assets() { return m_assets; }
    const std::vector<store::PullError>& errors() const { return m_errors; }
    int succeeded() const { return m_succeeded; }
    int failed() const { return m_failed; }
    // True when none of the names the run was given exists (report_unknown).
    bool nothing_named() const { return m_nothing_named; }

protected:
    std::vector<store::Asset> m_assets;

private:
    http::Client& m_http;
    core::Time m_now;
    std::vector<store::PullError> m_errors;
    std::set<std::string> m_noticed;
    int m_succeeded = 0;
    int m_failed = 0;
    bool m_nothing_named = false;

    void submit(http::Request request,
                std::string asset,
                std::function<void(std::string&)> handle,
                FailureHandler on_failure,
                bool data);
};

// A live pull: every endpoint's points join one batch, written in one transaction.
class PullContext : public RunContext {
public:
    PullContext(http::Client& http, core::Time now, core::Duration bucket)
        : RunContext(http, now), m_bucket(bucket) {}

    // Queues `request`. Its points join the pull only if the whole body parsed: an endpoint
    // is all or nothing.
    void
    fetch(http::Request request, std::string asset, Parser parse, FailureHandler on_failure = {});

    // Snapshot time of this pull: now floored to the bucket (ARCHITECTURE §3).
    core::Time snapshot_time() const { return core::floor_to(now(), m_bucket); }
    store::Batch& points() { return m_points; }

private:
    core::Duration m_bucket;
    store::Batch m_points;
};

using ProgressKey = store::ProgressKey;

// One unit of a backfill, committed together with its progress rows: it brings the history of
// `keys` up to (not including) `through`. Chunks of one key must complete in time order, so that
// a stored `through` means everything before it is there.
struct Chunk {
    std::vector<ProgressKey> keys;
    core::Time through;
};

// A backfill: every chunk is handed to the sink (which writes and commits it) as it arrives.
class BackfillContext : public RunContext {
public:
    using Sink = std::function<void(const Chunk&, store::Batch&)>;
    // Parses a chunk's body. `through` starts as the chunk's end and may be lowered when the
    // body shows it covers less (a full page of a paged history).
    using ChunkParser = std::function<void(std::string& body, store::Batch&, core::Time& through)>;

    // `from` and `to` bound the days to load ([from, to), complete days); `progress` holds what
    // earlier runs completed (empty with --restart).
    BackfillContext(http::Client& http,
                    core::Time now,
                    core::Time from,
                    core::Time to,
                    std::map<ProgressKey, core::Time> progress,
                    Sink sink)
        : RunContext(http, now), m_from(from), m_to(to), m_progress(std::move(progress)),
          m_sink(std::move(sink)) {}

    core::Time from() const { return m_from; }
    core::Time to() const { return m_to; }
    // Where an earlier run left `key`: history before this time is stored; nullopt if never.
    std::optional<core::Time> done_through(const ProgressKey& key) const;
    // True when every key of `chunk` is already done through its end (resume).
    bool done(const Chunk& chunk) const;

    // Queues the request of `chunk` unless it is done; the parsed batch goes to the sink, then
    // `next(through)` (if any) runs with what the chunk covered, so a source can chain the
    // chunks that must follow in time order.
    void fetch_chunk(http::Request request,
                     Chunk chunk,
                     ChunkParser parse,
                     std::function<void(core::Time through)> next = {},
                     FailureHandler on_failure = {});

    int skipped() const { return m_skipped; }

private:
    core::Time m_from;
    core::Time m_to;
    std::map<ProgressKey, core::Time> m_progress;
    Sink m_sink;
    int m_skipped = 0;
};

class Source {
public:
    virtual ~Source() = default;
    virtual const SourceInfo& info() const = 0;
    // Sets per-host rate limits on `http` (weight per minute and burst).
    virtual void configure(http::Client& http) const = 0;
    // Queues the requests of phase `phase` (0, 1, …) of a live snapshot; their callbacks parse
    // into `ctx`. The job runs each phase's requests before planning the next, so a phase can
    // use what the previous one fetched. Returns false when no phase follows.
    virtual bool plan_pull(PullContext& ctx, int phase) = 0;
    // Keeps what the selection asks for of a pull's points (after every request answered).
    virtual store::Batch select(const store::Batch& points,
                                const std::vector<store::Asset>& assets) = 0;
    // Queues the requests of phase `phase` of a backfill (typically lists, then one chunk per
    // asset and family). Returns false when no phase follows.
    virtual bool plan_backfill(BackfillContext& ctx, int phase) = 0;
};

// Up to three of `known` close enough to `name` to be what was meant (never `name` itself).
std::vector<std::string> suggestions(const std::string& name,
                                     const std::vector<std::string>& known);

// The registry (sources/registry.cpp): every source tm knows, by name.
std::vector<std::string> source_names();
// Throws core::UsageError naming the known sources (and the closest one) unless `name` is one.
void require_source(const std::string& name);
// Throws core::UsageError naming the known sources (and the closest one) for an unknown name,
// or for a selection the source cannot satisfy (unknown metric, unreadable config).
std::unique_ptr<Source>
make_source(const std::string& name, Mode mode, const Selection& selection = {});

// The value of `env_var` when set, else `fallback`, without a trailing '/'. Throws
// core::UsageError when the value is not an http(s) URL.
std::string base_url(const std::string& env_var, const std::string& fallback);

} // namespace sources
