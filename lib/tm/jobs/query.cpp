#include <tm/core/files.hpp>
#include <tm/db/migrate.hpp>
#include <tm/db/target.hpp>
#include <tm/jobs/query.hpp>
#include <tm/query/interactive.hpp>
#include <tm/query/sql.hpp>
#include <tm/query/views.hpp>

#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <memory>

namespace jobs {

core::ExitCode run_query(const QueryOptions& o) {
    if (o.output
        && !std::filesystem::is_directory(std::filesystem::absolute(*o.output).parent_path())) {
        throw core::UsageError(fmt::format("-o {}: its folder does not exist", *o.output));
    }
    db::Connection conn = db::connect(db::select_target(o.db, db::Role::reader));
    db::require_schema(conn);
    if (o.interactive) {
        query::run_interactive(conn, stdin, stdout, core::Clock::now());
        return core::ExitCode::ok;
    }
    std::unique_ptr<core::files::AtomicFile> file;
    if (o.output) {
        file = std::make_unique<core::files::AtomicFile>(*o.output);
    }
    std::FILE* out = file ? file->stream() : stdout;
    if (o.sql) {
        query::run_sql(conn, {*o.sql, o.format, o.filter.csv_safe, o.statement_timeout}, out);
    } else {
        query::check_filter(conn, o.filter);
        query::run(conn, o.view, o.filter, o.format, out);
    }
    if (file) {
        file->commit();
    }
    return core::ExitCode::ok;
}

} // namespace jobs
