#pragma once

#include <tm/db/connection.hpp>

#include <string_view>

namespace db {

// schema/roles.sql: what a superuser runs once to create tm's three roles (tm_owner, tm_writer,
// tm_reader) and hand tm's objects to tm_owner (tm setup --print-roles-sql prints it).
std::string_view roles_sql();
// schema/grants.sql: the privileges tm_owner grants the others after every migration.
std::string_view grants_sql();

// When `conn` is a superuser's: runs roles_sql() and makes the rest of the session act as
// tm_owner (SET ROLE), so what the migrations create is tm_owner's. Returns whether it did.
bool prepare_roles(Connection& conn);

// Grants the writer and reader their privileges when all three roles exist. Returns false when
// they do not (an administrator has to run roles_sql() first).
bool grant_roles(Connection& conn);

} // namespace db
