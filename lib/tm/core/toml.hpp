#pragma once

#include <tm/core/error.hpp>

#include <fmt/format.h>

#include <toml++/toml.h>

#include <string>
#include <string_view>

namespace core {

// Parses a TOML file's text; a syntax error is a core::UsageError "ORIGIN:LINE: what".
inline toml::table parse_toml(std::string_view text, const std::string& origin) {
    try {
        return toml::parse(text, origin);
    } catch (const toml::parse_error& e) {
        throw UsageError(
            fmt::format("{}:{}: {}", origin, e.source().begin.line, std::string(e.description())));
    }
}

} // namespace core
