#pragma once

#include <string_view>

namespace db {

// The database role a command needs (ARCHITECTURE §11): the owner runs migrations, the writer
// pulls, backfills and detects, the reader answers queries. Each command connects as the least.
enum class Role { reader, writer, owner };

// "tm_reader", "tm_writer", "tm_owner": the role names tm setup creates.
std::string_view role_name(Role role);
// "READER", "WRITER", "OWNER": the suffix of the role's TM_DATABASE_URL_… variable.
std::string_view role_variable(Role role);

} // namespace db
