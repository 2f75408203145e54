#include <tm/core/log.hpp>
#include <tm/db/migrate.hpp>

#include <fmt/format.h>

#include <map>

namespace db {
namespace {

std::string checksum(const std::string& text) {
    uint64_t h = 1469598103934665603ULL;
    for (const unsigned char c : text) {
        h ^= c;
        h *= 1099511628211ULL;
    }
    return fmt::format("{:016x}", h);
}

} // namespace

MigrationReport apply_migrations(Connection& conn, int up_to) {
    conn.exec(R"(CREATE TABLE IF NOT EXISTS schema_migrations (
                    version    integer PRIMARY KEY,
                    name       text NOT NULL,
                    checksum   text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now()))");
    conn.exec("SELECT pg_advisory_lock(hashtextextended('tm:migrations', 0))");
    struct Unlock {
        Connection& c;
        ~Unlock() {
            if (c.alive()) {
                PQclear(PQexec(c.raw(),
                               "SELECT pg_advisory_unlock(hashtextextended('tm:migrations', 0))"));
            }
        }
    } unlock{conn};

    std::map<int, std::string> applied;
    const auto rows = conn.exec("SELECT version, checksum FROM schema_migrations");
    for (int i = 0; i < rows.rows(); ++i) {
        applied[static_cast<int>(rows.get_int(i, 0))] = std::string(rows.get(i, 1));
    }
    MigrationReport report;
    for (const auto& m : embedded_migrations()) {
        if (m.version > up_to) {
            break;
        }
        const std::string sum = checksum(m.sql);
        if (auto it = applied.find(m.version); it != applied.end()) {
            if (it->second != sum) {
                throw core::Error(fmt::format(
                    "schema/{} changed after it was applied to this database; schema changes go "
                    "into a new migration file",
                    m.name));
            }
            ++report.already_applied;
            continue;
        }
        Transaction tx(conn);
        conn.exec(m.sql);
        conn.exec("INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                  {std::to_string(m.version), m.name, sum});
        tx.commit();
        core::log::info("applied schema/{}", m.name);
        report.applied.push_back(m.name);
    }
    if (!applied.empty() && applied.rbegin()->first > embedded_migrations().back().version) {
        core::log::warn("the database has migrations newer than this tm ({}); upgrade tm",
                        applied.rbegin()->first);
    }
    return report;
}

void require_schema(Connection& conn) {
    const int expected = embedded_migrations().back().version;
    const auto exists = conn.exec("SELECT to_regclass('schema_migrations') IS NOT NULL");
    int have = 0;
    if (exists.get(0, 0) == "t") {
        have = static_cast<int>(
            conn.exec("SELECT coalesce(max(version), 0) FROM schema_migrations").get_int(0, 0));
    }
    if (have < expected) {
        throw core::UsageError(
            have == 0 ? "the database has no tm schema yet; run `tm setup` first"
                      : fmt::format("the database schema is at version {}, this tm needs {}; run "
                                    "`tm setup` to upgrade it",
                                    have,
                                    expected));
    }
}

} // namespace db
