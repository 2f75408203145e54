#include <tm/core/files.hpp>
#include <tm/core/log.hpp>
#include <tm/db/embedded_cluster.hpp>
#include <tm/db/migrate.hpp>
#include <tm/db/roles.hpp>
#include <tm/db/target.hpp>
#include <tm/jobs/setup.hpp>
#include <tm/store/entities.hpp>

#include <fmt/format.h>

namespace jobs {
namespace {

core::ExitCode stop_cluster(const db::Target& target) {
    if (!target.embedded) {
        throw core::UsageError(
            fmt::format("--stop only stops the embedded database; {} is managed outside tm",
                        target.describe()));
    }
    const bool was_running = db::EmbeddedCluster(target.home).stop();
    fmt::print(
        "embedded database in {}: {}\n", target.home, was_running ? "stopped" : "not running");
    return core::ExitCode::ok;
}

void load_entities(db::Connection& conn, const std::optional<std::string>& file) {
    if (file) {
        const auto text = core::files::read_if_exists(*file);
        if (!text) {
            throw core::UsageError(fmt::format("--entities {}: no such file", *file));
        }
        fmt::print("entities: {} rows from {}\n", store::load_entities(conn, *text, *file), *file);
    } else if (conn.exec("SELECT 1 FROM entities LIMIT 1").rows() == 0) {
        // The built-in map, for a fresh database; one loaded by hand is never overwritten.
        fmt::print(
            "entities: {} rows (built-in config/entities.csv)\n",
            store::load_entities(conn, store::default_entities_csv(), "config/entities.csv"));
    }
}

} // namespace

core::ExitCode run_setup(const SetupOptions& o) {
    if (o.print_roles_sql) {
        fmt::print("{}", db::roles_sql());
        return core::ExitCode::ok;
    }
    const db::Target target = db::select_target(o.db, o.print_conninfo ? o.role : db::Role::owner);
    if (o.print_conninfo) {
        fmt::print("{}\n", db::portable_conninfo(target.conninfo));
        return core::ExitCode::ok;
    }
    if (o.stop) {
        return stop_cluster(target);
    }
    if (target.embedded) {
        db::EmbeddedCluster(target.home).init();
    }
    // The embedded cluster's superuser makes the roles; an external address is used as given.
    db::Connection conn = db::connect(target.embedded ? db::embedded_admin_target(target) : target);
    const bool made_roles = db::prepare_roles(conn);
    const auto report = db::apply_migrations(conn);
    const bool granted = db::grant_roles(conn);
    fmt::print("database: {}\n", target.describe());
    if (report.applied.empty()) {
        fmt::print("schema: up to date ({} migrations)\n", report.already_applied);
    } else {
        fmt::print("schema: applied {}\n", fmt::join(report.applied, ", "));
    }
    if (granted) {
        fmt::print("roles: tm_owner, tm_writer, tm_reader {}\n", made_roles ? "set up" : "granted");
    } else {
        core::log::warn("tm's roles do not exist yet, so every command connects as {}; have a "
                        "superuser run `tm setup --print-roles-sql | psql -d DATABASE`, then set "
                        "TM_DATABASE_URL_OWNER, _WRITER and _READER",
                        db::describe_target(target.conninfo));
    }
    load_entities(conn, o.entities_file);
    return core::ExitCode::ok;
}

} // namespace jobs
