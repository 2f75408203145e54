#include <tm/core/strings.hpp>
#include <tm/http/response.hpp>

#include <fmt/format.h>

namespace http {

std::optional<std::string> Response::header(std::string_view name) const {
    const std::string lower = core::strings::to_lower(name);
    for (const auto& [k, v] : headers) {
        if (k == lower) {
            return v;
        }
    }
    return std::nullopt;
}

std::string Response::describe() const {
    if (!transport_error.empty()) {
        return transport_error;
    }
    if (!api_error.empty()) {
        return api_error;
    }
    if (ok() && body.empty()) {
        return fmt::format("HTTP {} with an empty body", status);
    }
    // Error bodies from these APIs are short text ("Protocol not found"); an HTML error page
    // or a long JSON document is summarised instead of pasted into logs.
    std::string snippet(core::strings::trim(std::string_view(body).substr(0, 200)));
    if (snippet.find('<') != std::string::npos || snippet.find('\n') != std::string::npos) {
        snippet = body.find("<html") != std::string::npos || body.find("<HTML") != std::string::npos
                      ? "an HTML error page"
                      : "";
    }
    if (snippet.empty()) {
        return fmt::format("HTTP {}", status);
    }
    return fmt::format("HTTP {} ({})", status, snippet);
}

} // namespace http
