#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace json {

// Builds one flat JSON object (for assets.extra); fields that are absent (or a number that is
// NaN or infinite) are left out; text is escaped by core::strings::json_escape.
class ObjectWriter {
public:
    ObjectWriter& field(std::string_view key, const std::optional<std::string>& value);
    ObjectWriter& field(std::string_view key, std::optional<double> value);
    ObjectWriter& field(std::string_view key, const std::vector<std::string>& values);
    // "{}" becomes "" so that an empty object is stored as NULL.
    std::string str() const;

private:
    void key(std::string_view k);
    std::string m_body;
};

} // namespace json
