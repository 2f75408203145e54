#include <tm/http/url.hpp>

#include <fmt/format.h>

#include <cctype>

namespace http {

std::string percent_encode(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (const unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += fmt::format("%{:02X}", c);
        }
    }
    return out;
}

} // namespace http
