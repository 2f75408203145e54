#pragma once

#include <tm/core/error.hpp>
#include <tm/db/role.hpp>

#include <optional>
#include <string>

namespace jobs {

struct SetupOptions {
    std::optional<std::string> db;
    bool stop = false;            // stop the embedded cluster
    bool print_conninfo = false;  // print the address of `role` for psql
    bool print_roles_sql = false; // print schema/roles.sql for an administrator
    db::Role role = db::Role::reader;
    std::optional<std::string> entities_file;
};

// tm setup: creates (embedded) or reaches the database, makes tm's roles when it can, applies the
// migrations as tm_owner, grants the writer and reader their privileges and loads the entities
// map; or one of the printing / --stop actions. Prints what it did on stdout.
core::ExitCode run_setup(const SetupOptions& options);

} // namespace jobs
