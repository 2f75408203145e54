#include <tm/core/version.hpp>

namespace core {

std::string_view version() {
    return TM_VERSION;
}

} // namespace core
