#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace http {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct Response;

// An error an API reports inside a 2xx body instead of answering (Kraken answers HTTP 200 with
// {"error":["EAPI:Rate limit exceeded"],"result":{}}).
struct BodyError {
    std::string message;
    // A throttle or a passing outage: retried with the engine's backoff, like a 429.
    bool retry = false;
};

struct Request {
    std::string method = "GET";
    std::string url;
    Headers headers;
    std::string body;
    // Token-bucket weight (ARCHITECTURE §5); most APIs charge 1 per request.
    double weight = 1;
    // Short name for logs and errors, e.g. "GET /protocols"; no secrets.
    std::string label;
    // When set and true for a failed response, that response is final: not retried (an API's
    // way of saying "no such thing" with a 5xx, like Hyperliquid's 500 "null").
    std::function<bool(const Response&)> final_answer;
    // When set, reads every 2xx body for an error the API put there instead of an answer
    // (nullopt: the body is an answer). Such a response is a failure like an HTTP error: retried
    // when the error says so, then delivered with Response::api_error set.
    std::function<std::optional<BodyError>(const Response&)> body_error;
};

// A GET of `url`; `label` names it in logs and errors ("GET /protocols").
inline Request get(std::string url, std::string label) {
    Request r;
    r.url = std::move(url);
    r.label = std::move(label);
    return r;
}

// The final outcome of a request after retries. An HTTP error status is a value, not an
// exception: callers decide what a 404 or 400 means for them.
struct Response {
    // Spare capacity after every body: simdjson reads up to 64 bytes past the end of what it
    // parses, and a body received with this much to spare is parsed where it lies.
    static constexpr size_t k_spare = 64;

    long status = 0; // 0 when no HTTP response arrived
    std::string body;
    Headers headers;             // names lower-cased
    std::string transport_error; // non-empty when the transfer itself failed
    bool transport_retryable = false;
    // Non-empty when a 2xx body held an error (Request::body_error): the request failed.
    std::string api_error;
    bool api_error_retryable = false;
    int attempts = 0;
    std::string url; // redacted

    std::optional<std::string> header(std::string_view name) const;
    bool ok() const {
        return transport_error.empty() && api_error.empty() && status >= 200 && status < 300;
    }
    // "HTTP 500 (Internal server error)", "timed out after 120 s", "connection refused"…
    std::string describe() const;
};

} // namespace http
