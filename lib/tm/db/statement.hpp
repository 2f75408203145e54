#pragma once

#include <tm/core/time.hpp>
#include <tm/db/connection.hpp>

#include <fmt/format.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace db {

// Builds a statement's parameter list while its text is written: each call binds one value and
// returns its placeholder with an explicit cast ("$3::float8"), so no value is spliced into SQL.
class Statement {
public:
    std::string param(std::optional<std::string> value, std::string_view type) {
        m_params.push_back(std::move(value));
        return fmt::format("${}::{}", m_params.size(), type);
    }
    std::string text(std::optional<std::string> v) { return param(std::move(v), "text"); }
    std::string number(double v) { return param(fmt::format("{}", v), "float8"); }
    std::string texts(const std::vector<std::string>& values) {
        return param(array_literal(values), "text[]");
    }
    std::string interval(core::Duration d) {
        return param(fmt::format("{} microseconds", d.count()), "interval");
    }
    std::string time(core::Time t) {
        return param(core::format_iso8601(t, core::Precision::micros), "timestamptz");
    }
    const Params& params() const { return m_params; }

private:
    Params m_params;
};

} // namespace db
