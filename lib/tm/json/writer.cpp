#include <tm/core/strings.hpp>
#include <tm/json/writer.hpp>

#include <fmt/format.h>

#include <cmath>

namespace json {

void ObjectWriter::key(std::string_view k) {
    m_body += m_body.empty() ? "{" : ",";
    m_body += fmt::format("\"{}\":", core::strings::json_escape(k));
}

ObjectWriter& ObjectWriter::field(std::string_view k, const std::optional<std::string>& value) {
    if (value) {
        key(k);
        m_body += fmt::format("\"{}\"", core::strings::json_escape(*value));
    }
    return *this;
}

ObjectWriter& ObjectWriter::field(std::string_view k, std::optional<double> value) {
    // JSON has no NaN or infinities: such a value is left out like an absent one.
    if (value && std::isfinite(*value)) {
        key(k);
        m_body += fmt::format("{}", *value);
    }
    return *this;
}

ObjectWriter& ObjectWriter::field(std::string_view k, const std::vector<std::string>& values) {
    if (!values.empty()) {
        key(k);
        m_body += '[';
        for (size_t i = 0; i < values.size(); ++i) {
            m_body +=
                fmt::format("{}\"{}\"", i == 0 ? "" : ",", core::strings::json_escape(values[i]));
        }
        m_body += ']';
    }
    return *this;
}

std::string ObjectWriter::str() const {
    return m_body.empty() ? std::string() : m_body + "}";
}

} // namespace json
