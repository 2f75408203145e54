# Writes OUTPUT: a C++ source defining db::embedded_migrations() from the schema/NNN_*.sql files
# in SCHEMA_DIR, so the binaries carry their schema and need no source tree at run time.
file(GLOB sql_files "${SCHEMA_DIR}/[0-9][0-9][0-9]_*.sql")
list(SORT sql_files)
set(body "")
foreach(f IN LISTS sql_files)
    get_filename_component(name "${f}" NAME)
    string(SUBSTRING "${name}" 0 3 version)
    math(EXPR version "${version}")
    file(READ "${f}" sql)
    string(APPEND body "        {${version}, \"${name}\", R\"tmsql(${sql})tmsql\"},\n")
endforeach()
file(WRITE "${OUTPUT}.tmp"
"// Generated from schema/*.sql by lib/cmake/embed_migrations.cmake. Do not edit.
#include <tm/db/migrate.hpp>

namespace db {

const std::vector<Migration>& embedded_migrations()
{
    static const std::vector<Migration> migrations = {
${body}    };
    return migrations;
}

} // namespace db
")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
