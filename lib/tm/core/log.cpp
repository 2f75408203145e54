#include <tm/core/log.hpp>
#include <tm/core/secrets.hpp>
#include <tm/core/strings.hpp>
#include <tm/core/time.hpp>

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

} // namespace

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
        line = fmt::format("{} {} {}: {}", when, s.program, level_name(level), text);
    }
    line += '\n';
    std::lock_guard lock(s.mutex);
    std::fwrite(line.data(), 1, line.size(), stderr);
}

} // namespace core::log
