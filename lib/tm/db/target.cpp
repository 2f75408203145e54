#include <tm/core/process.hpp>
#include <tm/core/secrets.hpp>
#include <tm/db/embedded_cluster.hpp>
#include <tm/db/target.hpp>

#include <fmt/format.h>

#include <cstdlib>

namespace db {
namespace {

std::optional<std::string> env(const char* name) {
    const char* v = std::getenv(name);
    if (v == nullptr || *v == '\0') {
        return std::nullopt;
    }
    return std::string(v);
}

// Remembers the password of a database address as a secret so no log line can show it.
void register_password(const std::string& conninfo) {
    char* error = nullptr;
    PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &error);
    if (options == nullptr) {
        PQfreemem(error);
        return;
    }
    for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
        if (std::string_view(o->keyword) == "password" && o->val != nullptr) {
            core::secrets::add(o->val);
        }
    }
    PQconninfoFree(options);
}

} // namespace

std::string Target::describe() const {
    return fmt::format("{} ({})", describe_target(conninfo), origin);
}

Target select_target(const std::optional<std::string>& db_flag) {
    Target t;
    if (db_flag) {
        t = {*db_flag, "--db", false, {}};
    } else if (auto v = env("TM_DATABASE_URL")) {
        t = {*v, "TM_DATABASE_URL", false, {}};
    } else if (auto d = env("DATABASE_URL")) {
        t = {*d, "DATABASE_URL", false, {}};
    } else if (env("PGHOST") || env("PGDATABASE")) {
        t = {"", "PG* environment", false, {}};
    } else {
        if (core::process::check_only()) {
            throw core::ChecksPassed{};
        }
        const EmbeddedCluster cluster(EmbeddedCluster::default_home());
        return {cluster.conninfo(), "embedded cluster", true, cluster.home()};
    }
    if (t.origin != "PG* environment" && t.conninfo.empty()) {
        throw core::UsageError(
            fmt::format("{} is empty; give a database address or unset it", t.origin));
    }
    register_password(t.conninfo);
    if (const auto pw = env("PGPASSWORD")) {
        core::secrets::add(*pw);
    }
    validate_conninfo(t.conninfo, t.origin);
    if (core::process::check_only()) {
        throw core::ChecksPassed{};
    }
    return t;
}

Connection connect(const Target& target) {
    if (target.embedded) {
        EmbeddedCluster(target.home).start();
    }
    return Connection(target.conninfo);
}

} // namespace db
