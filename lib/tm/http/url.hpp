#pragma once

#include <string>
#include <string_view>

namespace http {

// Percent-encodes everything but RFC 3986 unreserved characters, for a path segment or a query
// value ("Hyperliquid L1" → "Hyperliquid%20L1").
std::string percent_encode(std::string_view s);

} // namespace http
