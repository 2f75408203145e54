#pragma once

#include <tm/db/connection.hpp>

#include <limits>
#include <string>
#include <vector>

namespace db {

struct Migration {
    int version;
    std::string name; // file name in schema/, e.g. "001_core.sql"
    std::string sql;
};

// The schema/ files, compiled into the library at build time so an installed binary needs no
// source tree. Ordered by version.
const std::vector<Migration>& embedded_migrations();

struct MigrationReport {
    std::vector<std::string> applied; // names applied by this call
    int already_applied = 0;
};

// Applies every migration not yet in schema_migrations, each in its own transaction, under an
// advisory lock so concurrent `tm setup` runs serialise. Idempotent. Throws core::Error when an
// applied migration's text has changed since (add a new migration instead of editing one).
// With `up_to`, stops after that version (a test builds a store the way an older tm left it).
MigrationReport apply_migrations(Connection& conn, int up_to = std::numeric_limits<int>::max());

// Throws core::UsageError (exit 2) unless every embedded migration is applied, telling the
// user to run `tm setup`. Cheap: one query.
void require_schema(Connection& conn);

} // namespace db
