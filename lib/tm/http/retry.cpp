#include <tm/core/strings.hpp>
#include <tm/http/response.hpp>
#include <tm/http/retry.hpp>

#include <curl/curl.h>

#include <algorithm>
#include <string>

namespace http {

bool RetryPolicy::should_retry(const Response& r) const {
    if (!r.transport_error.empty()) {
        return r.transport_retryable;
    }
    if (!r.api_error.empty()) {
        return r.api_error_retryable;
    }
    if (r.status == 408 || r.status == 425 || r.status == 429 || r.status >= 500) {
        return true;
    }
    return r.status >= 200 && r.status < 300 && r.body.empty();
}

std::chrono::milliseconds RetryPolicy::backoff(int attempt, std::mt19937_64& rng) const {
    const int exponent = std::clamp(attempt - 1, 0, 30);
    const auto cap = std::min<long long>(max_delay.count(),
                                         base_delay.count() * (1LL << std::min(exponent, 20)));
    std::uniform_int_distribution<long long> dist(0, std::max<long long>(0, cap));
    return std::chrono::milliseconds{dist(rng)};
}

std::optional<std::chrono::milliseconds>
parse_retry_after(std::string_view value, std::chrono::system_clock::time_point now) {
    const auto text = core::strings::trim(value);
    if (text.empty()) {
        return std::nullopt;
    }
    if (const auto seconds = core::strings::parse_int(text)) {
        if (*seconds <= 0 || *seconds > 86400 * 365) {
            return std::nullopt;
        }
        return std::chrono::milliseconds{*seconds * 1000};
    }
    // Only a real HTTP-date may pass; curl_getdate alone also accepts fragments like "5".
    if (text.size() < 20 || text.find("GMT") == std::string_view::npos) {
        return std::nullopt;
    }
    const std::string copy(text);
    const time_t when = curl_getdate(copy.c_str(), nullptr);
    if (when < 0) {
        return std::nullopt;
    }
    const auto delta = std::chrono::system_clock::from_time_t(when) - now;
    if (delta <= std::chrono::seconds{0}) {
        return std::nullopt;
    }
    return std::chrono::duration_cast<std::chrono::milliseconds>(delta);
}

} // namespace http
