#pragma once

#include <fmt/format.h>

#include <string_view>

namespace core::log {

enum class Level { debug, info, warn, error };
enum class Format { text, json };

// Set once at start-up by cli::run_main; `program` prefixes every line.
void configure(std::string_view program, Level min_level, Format format);
Level min_level();

// Writes one line to stderr (never stdout). Every message passes through secrets::redact; in
// the text format control characters show escaped (strings::terminal_safe), in the JSON format
// they are JSON escapes, so text from an API cannot drive the terminal.
void write(Level level, std::string_view message);

// A status line at the bottom of a terminal (the progress of long work), redrawn in place:
// log lines are written above it (it is cleared first and drawn again after), so they never
// run into it. Cut to the terminal's width. Does nothing when stderr is not a terminal.
void set_status(std::string_view line);
// Leaves the status line as it was last drawn, on a line of its own, and stops redrawing it.
void end_status();
// Whether stderr is a terminal (where a status line shows).
bool stderr_is_terminal();

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
