#pragma once

#include <tm/http/response.hpp>

#include <string>
#include <string_view>

namespace http {

// `url` with API keys masked wherever they sit: path segments (DefiLlama pro), query strings
// (Artemis `APIKey=`), userinfo. Registered secrets are masked too (core::secrets).
std::string redact_url(std::string_view url);

// True for headers that carry credentials (Authorization, x-api-key, x-cg-*-api-key, cookies).
bool is_secret_header(std::string_view name);

// "name: value" with the value masked when the header is a credential.
std::string redact_header(std::string_view name, std::string_view value);

// The path and query of `url` without scheme and host, redacted: "/protocols", for labels.
std::string path_of(std::string_view url);

} // namespace http
