#pragma once

#include <chrono>
#include <optional>
#include <random>
#include <string_view>

namespace http {

struct Response;

// When and how long to retry. Retried: transport failures that may pass (connect errors,
// timeouts, resets, truncated transfers), HTTP 408, 425, 429, every 5xx, a 200 with an empty
// body, and an error inside a 2xx body that its source calls passing (Request::body_error).
// Never retried: other 4xx, other errors in a body, bodies over the size limit, malformed URLs.
struct RetryPolicy {
    int max_attempts = 5;
    std::chrono::milliseconds base_delay{500};
    std::chrono::milliseconds max_delay{30'000};
    // A Retry-After longer than this is not waited for: the request fails instead.
    std::chrono::seconds max_retry_after{300};

    bool should_retry(const Response& response) const;

    // Exponential backoff with full jitter: uniform in [0, min(max_delay, base·2^(attempt-1))].
    // `attempt` counts from 1 (the delay after the first failure).
    std::chrono::milliseconds backoff(int attempt, std::mt19937_64& rng) const;
};

// Parses a Retry-After value: delta seconds ("120") or an HTTP-date. Returns nullopt for "0",
// negative or past values and garbage, which all mean "use the normal backoff".
std::optional<std::chrono::milliseconds>
parse_retry_after(std::string_view value, std::chrono::system_clock::time_point now);

} // namespace http
