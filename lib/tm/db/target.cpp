#include <tm/core/process.hpp>
#include <tm/core/secrets.hpp>
#include <tm/db/embedded_cluster.hpp>
#include <tm/db/target.hpp>

#include <fmt/format.h>

#include <cstdlib>

namespace db {
namespace {

std::optional<std::string> env(std::string_view name) {
    const char* v = std::getenv(std::string(name).c_str());
    if (v == nullptr || *v == '\0') {
        return std::nullopt;
    }
    return std::string(v);
}

// libpq's variables that choose a server or database; any of them means "use libpq's defaults".
bool libpq_environment() {
    for (const char* name : {"PGHOST", "PGHOSTADDR", "PGPORT", "PGDATABASE", "PGSERVICE"}) {
        if (env(name)) {
            return true;
        }
    }
    return false;
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

// A conninfo value, single-quoted when libpq needs it (empty, spaces, quotes, backslashes).
std::string quoted(std::string_view value) {
    if (!value.empty() && value.find_first_of(" '\\\t\n") == std::string_view::npos) {
        return std::string(value);
    }
    std::string out = "'";
    for (const char c : value) {
        if (c == '\'' || c == '\\') {
            out += '\\';
        }
        out += c;
    }
    return out + "'";
}

} // namespace

namespace {

// A role's two names: the database role tm setup creates, and its TM_DATABASE_URL_ suffix.
struct RoleNames {
    std::string_view role;
    std::string_view variable;
};

RoleNames names_of(Role role) {
    switch (role) {
    case Role::reader:
        return {"tm_reader", "READER"};
    case Role::writer:
        return {"tm_writer", "WRITER"};
    case Role::owner:
        return {"tm_owner", "OWNER"};
    }
    return {"tm_reader", "READER"};
}

} // namespace

std::string_view role_name(Role role) {
    return names_of(role).role;
}

std::string_view role_variable(Role role) {
    return names_of(role).variable;
}

std::string Target::describe() const {
    return fmt::format("{} ({})", describe_target(conninfo), origin);
}

Target select_target(const std::optional<std::string>& db_flag, Role role) {
    Target t;
    const std::string role_var = fmt::format("TM_DATABASE_URL_{}", role_variable(role));
    if (db_flag) {
        t = {*db_flag, "--db", false, {}};
    } else if (auto r = env(role_var)) {
        t = {*r, role_var, false, {}};
    } else if (auto v = env("TM_DATABASE_URL")) {
        t = {*v, "TM_DATABASE_URL", false, {}};
    } else if (auto d = env("DATABASE_URL")) {
        t = {*d, "DATABASE_URL", false, {}};
    } else if (libpq_environment()) {
        t = {"", "PG* environment", false, {}};
    } else {
        if (core::process::check_only()) {
            throw core::ChecksPassed{};
        }
        const EmbeddedCluster cluster(EmbeddedCluster::default_home());
        return {cluster.conninfo(role_name(role)), "embedded cluster", true, cluster.home()};
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

Target embedded_admin_target(const Target& target) {
    const EmbeddedCluster cluster(target.home);
    return {cluster.conninfo(EmbeddedCluster::k_admin), target.origin, true, target.home};
}

Connection connect(const Target& target) {
    if (!target.embedded) {
        return Connection(target.conninfo);
    }
    EmbeddedCluster(target.home).start();
    try {
        return Connection(target.conninfo);
    } catch (const Unreachable& e) {
        // A cluster made by an older tm has no roles yet: that is an upgrade, not an outage.
        if (std::string_view(e.what()).find("role \"tm_") != std::string_view::npos) {
            throw core::UsageError(fmt::format(
                "the embedded database in {} predates tm's roles; run `tm setup` to upgrade it",
                target.home));
        }
        throw;
    }
}

std::string portable_conninfo(const std::string& conninfo) {
    char* error = nullptr;
    PQconninfoOption* options =
        conninfo.empty() ? PQconndefaults() : PQconninfoParse(conninfo.c_str(), &error);
    if (options == nullptr) {
        PQfreemem(error);
        throw core::UsageError("not a valid database address");
    }
    std::string out;
    for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
        const std::string_view keyword = o->keyword;
        // From the environment, only what a variable set: the rest are compiled-in defaults.
        const bool wanted = conninfo.empty() ? o->envvar != nullptr && env(o->envvar).has_value()
                                             : o->val != nullptr;
        if (!wanted || o->val == nullptr || keyword == "password") {
            continue;
        }
        out += fmt::format("{}{}={}", out.empty() ? "" : " ", keyword, quoted(o->val));
    }
    PQconninfoFree(options);
    return out;
}

} // namespace db
