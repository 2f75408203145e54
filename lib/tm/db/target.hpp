#pragma once

#include <tm/db/connection.hpp>

#include <optional>
#include <string>

namespace db {

// Which database a command uses (ARCHITECTURE §8): --db > TM_DATABASE_URL > DATABASE_URL >
// libpq's PG* variables when PGHOST or PGDATABASE is set > the embedded cluster.
struct Target {
    std::string conninfo;
    std::string origin; // "--db", "TM_DATABASE_URL", …, "embedded cluster"
    bool embedded = false;
    std::string home; // $TM_HOME when embedded

    // "host=/var/lib/tm/pg/run dbname=tm (embedded cluster)", password masked.
    std::string describe() const;
};

// Throws core::UsageError for a malformed address (exit 2, nothing attempted).
Target select_target(const std::optional<std::string>& db_flag);

// Connects to `target`, starting the embedded server on demand. Throws Unreachable (exit 4).
Connection connect(const Target& target);

} // namespace db
