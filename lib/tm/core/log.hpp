#pragma once

#include <fmt/format.h>

#include <string_view>

namespace core::log {

enum class Level { debug, info, warn, error };
enum class Format { text, json };

// Set once at start-up by cli::run_main; `program` prefixes every line.
void configure(std::string_view program, Level min_level, Format format);
Level min_level();

// Writes one line to stderr (never stdout). Every message passes through secrets::redact.
void write(Level level, std::string_view message);

template <typename... Args> void debug(fmt::format_string<Args...> f, Args&&... args) {
    if (min_level() <= Level::debug) {
        write(Level::debug, fmt::format(f, std::forward<Args>(args)...));
    }
}
template <typename... Args> void info(fmt::format_string<Args...> f, Args&&... args) {
    if (min_level() <= Level::info) {
        write(Level::info, fmt::format(f, std::forward<Args>(args)...));
    }
}
template <typename... Args> void warn(fmt::format_string<Args...> f, Args&&... args) {
    write(Level::warn, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args> void error(fmt::format_string<Args...> f, Args&&... args) {
    write(Level::error, fmt::format(f, std::forward<Args>(args)...));
}

} // namespace core::log
