#include <tm/core/secrets.hpp>
#include <tm/core/strings.hpp>
#include <tm/http/redact.hpp>

#include <fmt/format.h>

namespace http {

std::string redact_url(std::string_view url) {
    return core::secrets::redact(url);
}

bool is_secret_header(std::string_view name) {
    const std::string lower = core::strings::to_lower(name);
    return lower == "authorization" || lower == "proxy-authorization" || lower == "cookie"
           || lower == "x-api-key" || lower == "x-tm-signature"
           || (lower.find("api-key") != std::string::npos)
           || (lower.find("apikey") != std::string::npos)
           || lower.find("token") != std::string::npos;
}

std::string redact_header(std::string_view name, std::string_view value) {
    if (is_secret_header(name)) {
        return fmt::format("{}: {}", name, core::secrets::mask);
    }
    return core::secrets::redact(fmt::format("{}: {}", name, value));
}

std::string path_of(std::string_view url) {
    const size_t scheme = url.find("://");
    size_t start = scheme == std::string_view::npos ? 0 : url.find('/', scheme + 3);
    if (start == std::string_view::npos) {
        return "/";
    }
    return redact_url(url.substr(start));
}

} // namespace http
