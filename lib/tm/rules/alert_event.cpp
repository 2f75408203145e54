#include <tm/rules/alert_event.hpp>

#include <fmt/format.h>

namespace rules {

std::string AlertEvent::target() const {
    if (source.empty()) {
        return subject;
    }
    std::string t = fmt::format("{}/{}/{}", source, asset, metric);
    if (!subject.empty()) {
        t += fmt::format(" vs {}", subject);
    }
    return t;
}

std::optional<double> AlertEvent::change() const {
    if (!value || !baseline || *baseline == 0) {
        return std::nullopt;
    }
    return (*value - *baseline) / *baseline;
}

} // namespace rules
