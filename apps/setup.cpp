// tm-setup: create or upgrade the schema; create and start the embedded cluster when no
// database is configured; stop it with --stop.
#include <tm/cli/options.hpp>
#include <tm/core/files.hpp>
#include <tm/core/log.hpp>
#include <tm/db/embedded_cluster.hpp>
#include <tm/db/migrate.hpp>
#include <tm/db/target.hpp>
#include <tm/store/entities.hpp>

#include <fmt/format.h>

int main(int argc, char** argv) {
    CLI::App app{"Create or upgrade the tm schema; create/start the embedded database when none "
                 "is configured",
                 "tm-setup"};
    cli::CommonOptions common;
    cli::add_common(app, common);
    bool stop = false;
    bool print_conninfo = false;
    std::optional<std::string> entities;
    app.add_flag("--stop", stop, "Stop the embedded database server and exit");
    app.add_option("--entities",
                   entities,
                   "Replace the cross-source identities with this CSV (entity,source,kind,asset)");
    app.add_flag("--print-conninfo",
                 print_conninfo,
                 "Print the libpq address of the database (password masked) and exit");

    return cli::run_main(app, common, argc, argv, [&] {
        const db::Target target = db::select_target(common.db);
        if (print_conninfo) {
            fmt::print("{}\n",
                       target.embedded ? target.conninfo : db::describe_target(target.conninfo));
            return core::ExitCode::ok;
        }
        if (stop) {
            if (!target.embedded) {
                throw core::UsageError(fmt::format("--stop only stops the embedded database; {} is "
                                                   "managed outside tm",
                                                   target.describe()));
            }
            const bool was_running = db::EmbeddedCluster(target.home).stop();
            fmt::print("embedded database in {}: {}\n",
                       target.home,
                       was_running ? "stopped" : "not running");
            return core::ExitCode::ok;
        }
        if (target.embedded) {
            db::EmbeddedCluster(target.home).init();
        }
        db::Connection conn = db::connect(target);
        const auto report = db::apply_migrations(conn);
        fmt::print("database: {}\n", target.describe());
        if (report.applied.empty()) {
            fmt::print("schema: up to date ({} migrations)\n", report.already_applied);
        } else {
            fmt::print("schema: applied {}\n", fmt::join(report.applied, ", "));
        }
        if (entities) {
            const auto text = core::files::read_if_exists(*entities);
            if (!text) {
                throw core::UsageError(fmt::format("--entities {}: no such file", *entities));
            }
            fmt::print("entities: {} rows from {}\n",
                       store::load_entities(conn, *text, *entities),
                       *entities);
        } else if (conn.exec("SELECT 1 FROM entities LIMIT 1").rows() == 0) {
            // The built-in map, for a fresh database; one loaded by hand is never overwritten.
            fmt::print(
                "entities: {} rows (built-in config/entities.csv)\n",
                store::load_entities(conn, store::default_entities_csv(), "config/entities.csv"));
        }
        return core::ExitCode::ok;
    });
}
