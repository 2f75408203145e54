# Writes OUTPUT: a C++ source defining `std::string_view NAME()` in namespace NAMESPACE with the
# contents of INPUT, so a default configuration file (or the API description, or the dashboard's
# scripts and styles) travels inside the binaries. With DROP_SOURCE_MAP, a minified script's
# "//# sourceMappingURL=" line goes (tm serve does not serve the map).
file(READ "${INPUT}" text)
if(DROP_SOURCE_MAP)
    string(REGEX REPLACE "\n//# sourceMappingURL=[^\n]*" "" text "${text}")
endif()
get_filename_component(file_name "${INPUT}" NAME)
file(WRITE "${OUTPUT}.tmp"
"// Generated from ${file_name} by lib/cmake/embed_text.cmake. Do not edit.
#include <string_view>

namespace ${NAMESPACE} {

std::string_view ${NAME}()
{
    return R\"tmtext(${text})tmtext\";
}

} // namespace ${NAMESPACE}
")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
