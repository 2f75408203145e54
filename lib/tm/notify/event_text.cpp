#include <tm/core/strings.hpp>
#include <tm/notify/channel.hpp>

#include <fmt/format.h>

#include <cmath>

namespace notify {
namespace {

std::string number(double v) {
    return fmt::format("{}", v);
}

std::string json_string(std::string_view s) {
    return fmt::format("\"{}\"", core::strings::json_escape(s));
}

std::string json_number(const std::optional<double>& v) {
    return v && std::isfinite(*v) ? number(*v) : std::string("null");
}

} // namespace

std::string details(const rules::AlertEvent& e) {
    std::vector<std::string> facts;
    if (e.value) {
        facts.push_back(fmt::format("value {}", number(*e.value)));
    }
    if (e.baseline) {
        facts.push_back(fmt::format("baseline {}", number(*e.baseline)));
    }
    if (const auto c = e.change()) {
        facts.push_back(fmt::format("change {:+.1f}%", *c * 100));
    }
    return fmt::format("{} ({}) at {}", e.message, fmt::join(facts, ", "), e.at);
}

std::string describe(const rules::AlertEvent& e) {
    return fmt::format("{} {} {} {}: {}", e.event, e.severity, e.rule, e.target(), details(e));
}

std::string to_json(const rules::AlertEvent& e) {
    const auto optional_text = [](const std::string& s) {
        return s.empty() ? std::string("null") : json_string(s);
    };
    return fmt::format(
        "{{\"event\":{},\"alert_id\":{},\"rule\":{},\"severity\":{},\"source\":{},\"asset\":{},"
        "\"metric\":{},\"subject\":{},\"target\":{},\"value\":{},\"baseline\":{},\"change\":{},"
        "\"message\":{},\"at\":{}}}",
        json_string(e.event),
        e.alert_id,
        json_string(e.rule),
        json_string(e.severity),
        optional_text(e.source),
        optional_text(e.asset),
        optional_text(e.metric),
        optional_text(e.subject),
        json_string(e.target()),
        json_number(e.value),
        json_number(e.baseline),
        json_number(e.change()),
        json_string(e.message),
        json_string(e.at));
}

} // namespace notify
