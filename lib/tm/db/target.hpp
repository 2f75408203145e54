#pragma once

#include <tm/db/connection.hpp>
#include <tm/db/role.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace db {

// Which database a command uses, and as whom (ARCHITECTURE §8).
struct Target {
    std::string conninfo;
    std::string origin; // "--db", "TM_DATABASE_URL_READER", …, "embedded cluster"
    bool embedded = false;
    std::string home; // $TM_HOME when embedded

    // "host=/var/lib/tm/pg/run dbname=tm (embedded cluster)", password masked.
    std::string describe() const;
};

// The address for `role`: --db > TM_DATABASE_URL_<ROLE> > TM_DATABASE_URL > DATABASE_URL >
// libpq's own variables (PGHOST, PGHOSTADDR, PGPORT, PGDATABASE or PGSERVICE set) > the embedded
// cluster, where the role is the user. An address given by the user is used as given: its user
// is whoever the address names. Throws core::UsageError for a malformed address (exit 2,
// nothing attempted).
Target select_target(const std::optional<std::string>& db_flag, Role role);

// The embedded cluster's superuser address, for tm setup alone (creating roles).
Target embedded_admin_target(const Target& target);

// Connects to `target`, starting the embedded server on demand. Throws Unreachable (exit 4).
Connection connect(const Target& target);

// A libpq conninfo that psql and every libpq program accept for `conninfo`: its options with
// values quoted as libpq requires, and without any password (libpq finds that in ~/.pgpass,
// PGPASSWORD or a service file). For an empty conninfo (libpq's PG* variables), the options those
// variables set.
std::string portable_conninfo(const std::string& conninfo);

} // namespace db
