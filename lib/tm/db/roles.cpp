#include <tm/db/roles.hpp>

namespace db {

bool prepare_roles(Connection& conn) {
    if (conn.exec("SELECT current_setting('is_superuser')").get(0, 0) != "on") {
        return false;
    }
    conn.exec(std::string(roles_sql()));
    conn.exec("SET ROLE tm_owner");
    return true;
}

bool grant_roles(Connection& conn) {
    const auto r = conn.exec("SELECT count(*) FROM pg_roles WHERE rolname IN ('tm_owner', "
                             "'tm_writer', 'tm_reader')");
    if (r.get_int(0, 0) != 3) {
        return false;
    }
    conn.exec(std::string(grants_sql()));
    return true;
}

} // namespace db
