#pragma once

#include <tm/http/response.hpp>

#include <optional>
#include <string>

namespace http {

// `--record DIR` / `--replay DIR`: responses stored as `<key>.meta` (status, method, redacted
// URL, response headers) and `<key>.body` (raw body), keyed by a hash of the method, the
// redacted URL and the redacted request body, so a replay matches whatever key was used.
class Recorder {
public:
    explicit Recorder(std::string dir);

    // Stores `response` for `request`. Throws core::Error when the directory is not writable.
    void store(const Request& request, const Response& response) const;
    // The stored response for `request`, or nullopt when it was never recorded.
    std::optional<Response> load(const Request& request) const;

    static std::string key(const Request& request);

private:
    std::string m_dir;
};

} // namespace http
