#pragma once

#include <tm/http/rate_limiter.hpp>
#include <tm/http/response.hpp>
#include <tm/http/retry.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace http {

struct ClientOptions {
    int max_in_flight = 8;
    std::chrono::milliseconds connect_timeout{10'000};
    std::chrono::milliseconds total_timeout{120'000};
    // Abort a transfer slower than `low_speed_bytes` per second for `low_speed_time`.
    long low_speed_bytes = 64;
    std::chrono::seconds low_speed_time{60};
    size_t max_body_bytes = size_t{512} << 20;
    RetryPolicy retry;
    std::string user_agent;
    std::optional<std::string> record_dir; // --record DIR
    std::optional<std::string> replay_dir; // --replay DIR: no network at all
    // --rate-limit: requests per minute per host, replacing every source's own limits.
    std::optional<double> rate_per_minute;
    // run() throws core::Interrupted once SIGINT or SIGTERM arrived (core::interrupt), leaving
    // the transfers in flight; off for what must still go out after a signal (the end ping).
    bool stop_on_signal = true;
};

struct HostLimit {
    double weight_per_minute = 60;
    double burst = 10;
};

// What a run did on the network, for the pulls journal and the metrics file.
struct ClientStats {
    long requests = 0; // transfers started, retries included
    // Requests whose final outcome was a failure: not 2xx, an error inside a 2xx body, or a body
    // its reader refused (Client::count_refused).
    long failed_requests = 0;
    long answered = 0; // requests that reached their final outcome
    long retries = 0;
    long rate_limit_waits = 0;
    double rate_limit_wait_seconds = 0;
    std::map<long, long> by_status; // final outcomes by HTTP status; 0: no response at all
};

// One HTTP engine on the libcurl multi interface (ARCHITECTURE §5): many transfers in flight,
// connection reuse, gzip, a token bucket per host, retries with backoff. Single-threaded:
// callbacks run inside run() and may submit follow-up requests.
class Client {
public:
    using Callback = std::function<void(Response&&)>;

    explicit Client(ClientOptions options);
    ~Client();
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    // Applies `limit` to every request whose URL starts with `origin` ("https://api.llama.fi").
    void set_limit(const std::string& origin, HostLimit limit);

    // Charges `weight` more to the bucket of `url`'s origin (a cost known after the response).
    void charge(const std::string& url, double weight);

    // Queues `request`; `on_done` receives its final response (after retries) during run().
    void submit(Request request, Callback on_done);

    // Performs queued transfers until none is left. Throws core::Interrupted when a signal
    // asked the run to stop (ClientOptions::stop_on_signal): checked every turn of its loop,
    // which a signal wakes at once.
    void run();

    // Calls `tick` once per turn of run()'s loop (at least once a second while it runs), for
    // work that must not wait for the next response, such as committing what has arrived.
    void on_tick(std::function<void()> tick);

    // Counts a delivered 2xx answer as a failed request after all: its reader refused the body
    // (valid HTTP, wrong shape), so the journal's failed requests include it.
    void count_refused() { ++m_stats.failed_requests; }

    const ClientStats& stats() const { return m_stats; }
    // Requests queued, waiting (backoff, rate limit) or in flight: with stats().answered, all
    // the requests known so far.
    long pending() const;

private:
    struct Impl;
    ClientOptions m_options;
    ClientStats m_stats;
    std::unique_ptr<Impl> m_impl;
};

// "scheme://host[:port]" of `url`, the unit a rate limit applies to.
std::string origin_of(std::string_view url);

} // namespace http
