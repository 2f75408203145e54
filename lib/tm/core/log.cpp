#include <tm/core/log.hpp>
#include <tm/core/secrets.hpp>
#include <tm/core/strings.hpp>
#include <tm/core/time.hpp>

#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdio>
#include <mutex>
#include <string>

namespace core::log {
namespace {

struct State {
    std::string program = "tm";
    Level min = Level::info;
    Format format = Format::text;
    std::mutex mutex;
    std::string status; // the status line shown at the bottom of the terminal, if any
};

State& state() {
    static State s;
    return s;
}

std::string_view level_name(Level level) {
    switch (level) {
    case Level::debug:
        return "debug";
    case Level::info:
        return "info";
    case Level::warn:
        return "warning";
    case Level::error:
        return "error";
    }
    return "info";
}

void put(std::string_view text) {
    std::fwrite(text.data(), 1, text.size(), stderr);
}

// Erases the status line the cursor stands on.
void clear_status_line() {
    put("\r\033[K");
}

size_t terminal_width() {
    winsize w{};
    if (::ioctl(STDERR_FILENO, TIOCGWINSZ, &w) == 0 && w.ws_col > 0) {
        return w.ws_col;
    }
    return 80;
}

} // namespace

bool stderr_is_terminal() {
    static const bool tty = ::isatty(STDERR_FILENO) != 0;
    return tty;
}

void set_status(std::string_view line) {
    if (!stderr_is_terminal()) {
        return;
    }
    // A line longer than the terminal wraps, and \r would then redraw only its last row.
    std::string text = strings::terminal_safe(line);
    const size_t width = terminal_width() - 1;
    if (text.size() > width) {
        size_t cut = width;
        while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xc0) == 0x80) {
            --cut; // not inside a UTF-8 sequence
        }
        text.resize(cut);
    }
    auto& s = state();
    std::lock_guard lock(s.mutex);
    s.status = std::move(text);
    clear_status_line();
    put(s.status);
    std::fflush(stderr);
}

void end_status() {
    auto& s = state();
    std::lock_guard lock(s.mutex);
    if (!s.status.empty()) {
        put("\n");
        s.status.clear();
        std::fflush(stderr);
    }
}

void configure(std::string_view program, Level min_level, Format format) {
    auto& s = state();
    s.program = std::string(program);
    s.min = min_level;
    s.format = format;
}

Level min_level() {
    return state().min;
}

void write(Level level, std::string_view message) {
    auto& s = state();
    if (level < s.min) {
        return;
    }
    const std::string text = secrets::redact(message);
    const std::string when = core::format_iso8601(core::Clock::wall_now(), core::Precision::millis);
    std::string line;
    if (s.format == Format::json) {
        line = fmt::format(R"({{"ts":"{}","program":"{}","level":"{}","msg":"{}"}})",
                           when,
                           strings::json_escape(s.program),
                           level_name(level),
                           strings::json_escape(text));
    } else {
        line = fmt::format(
            "{} {} {}: {}", when, s.program, level_name(level), strings::terminal_safe(text));
    }
    line += '\n';
    std::lock_guard lock(s.mutex);
    if (!s.status.empty()) {
        clear_status_line();
    }
    put(line);
    if (!s.status.empty()) {
        clear_status_line();
        put(s.status);
    }
    std::fflush(stderr);
}

} // namespace core::log
