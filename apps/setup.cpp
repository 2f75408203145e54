// tm-setup: create or upgrade the schema and tm's roles; create and start the embedded cluster
// when no database is configured; stop it with --stop; print addresses and the roles' SQL.
#include <tm/cli/options.hpp>
#include <tm/jobs/setup.hpp>

int main(int argc, char** argv) {
    CLI::App app{"Create or upgrade the tm schema and roles; create/start the embedded database "
                 "when none is configured",
                 "tm-setup"};
    cli::CommonOptions common;
    cli::add_common(app, common);
    jobs::SetupOptions o;
    app.add_flag("--stop", o.stop, "Stop the embedded database server and exit");
    app.add_option("--entities",
                   o.entities_file,
                   "Replace the cross-source identities with this CSV (entity,source,kind,asset)");
    app.add_flag("--print-conninfo",
                 o.print_conninfo,
                 "Print the libpq address of the database (no password) for psql, and exit");
    app.add_option(
           "--role", o.role, "With --print-conninfo: the role's address (reader, writer, owner)")
        ->transform(
            CLI::CheckedTransformer(std::map<std::string, db::Role>{{"reader", db::Role::reader},
                                                                    {"writer", db::Role::writer},
                                                                    {"owner", db::Role::owner}}));
    app.add_flag("--print-roles-sql",
                 o.print_roles_sql,
                 "Print the SQL a superuser runs once to create tm's roles, and exit");
    return cli::run_main(app, common, argc, argv, [&](report::RunMetrics&) {
        o.db = common.db;
        return jobs::run_setup(o);
    });
}
