#pragma once

#include <tm/core/time.hpp>
#include <tm/http/client.hpp>
#include <tm/store/asset_writer.hpp>
#include <tm/store/batch.hpp>
#include <tm/store/journal.hpp>

#include <functional>
#include <memory>
#include <string>
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
};

// Turns a response body into points and asset rows. Pure: no network, no database; throws
// json::ShapeError (or core::Error) naming the field when the body is not what it expects.
using Parser = std::function<void(std::string& body, store::Batch&, std::vector<store::Asset>&)>;

// What a live pull collects while its requests run.
class PullContext {
public:
    PullContext(http::Client& http, core::Time now, core::Duration bucket)
        : m_http(http), m_now(now), m_bucket(bucket) {}

    // Queues `request`. When it succeeds, `parse` fills a batch of its own that joins the
    // pull's points only if the whole body parsed: an endpoint is all or nothing. A failure
    // becomes a PullError naming `asset` (empty when the whole endpoint is meant).
    void fetch(http::Request request, std::string asset, Parser parse);

    // Snapshot time of this pull: now floored to the bucket (ARCHITECTURE §3).
    core::Time snapshot_time() const { return core::floor_to(m_now, m_bucket); }

    http::Client& http() { return m_http; }
    store::Batch& points() { return m_points; }
    std::vector<store::Asset>& assets() { return m_assets; }
    std::vector<store::PullError>& errors() { return m_errors; }
    int succeeded() const { return m_succeeded; }
    int failed() const { return m_failed; }

private:
    http::Client& m_http;
    core::Time m_now;
    core::Duration m_bucket;
    store::Batch m_points;
    std::vector<store::Asset> m_assets;
    std::vector<store::PullError> m_errors;
    int m_succeeded = 0;
    int m_failed = 0;
};

class Source {
public:
    virtual ~Source() = default;
    virtual const SourceInfo& info() const = 0;
    // Sets per-host rate limits on `http` (weight per minute and burst).
    virtual void configure(http::Client& http) const = 0;
    // Queues the requests of a live snapshot; their callbacks parse into `ctx`.
    virtual void plan_pull(PullContext& ctx) = 0;
};

// The registry (sources/registry.cpp): every source tm knows, by name.
std::vector<std::string> source_names();
// Throws core::UsageError naming the known sources (and the closest one) for an unknown name.
std::unique_ptr<Source> make_source(const std::string& name);

// The value of `env_var` when set, else `fallback`, without a trailing '/'. Throws
// core::UsageError when the value is not an http(s) URL.
std::string base_url(const std::string& env_var, const std::string& fallback);

} // namespace sources
