# Writes OUTPUT: a C++ source defining `std::string_view NAME()` in namespace NAMESPACE with the
# contents of INPUT, so a default configuration file (or the API description) travels inside the
# binaries.
file(READ "${INPUT}" text)
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
