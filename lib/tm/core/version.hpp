#pragma once

#include <string_view>

namespace core {

// The project version from CMake (project(tm VERSION …)).
std::string_view version();

} // namespace core
