// Which database a command uses, and as whom (ARCHITECTURE §8, §11): --db > the role's
// TM_DATABASE_URL_<ROLE> > TM_DATABASE_URL > DATABASE_URL > libpq's variables > the embedded
// cluster, where the role is the user.
#include <tm/core/error.hpp>
#include <tm/db/target.hpp>

#include <catch2/catch.hpp>

#include <cstdlib>
#include <map>
#include <string>

namespace {

// Sets the variables of one case and clears every other one that selection reads, restoring
// the process's own values afterwards.
class Environment {
public:
    explicit Environment(const std::map<std::string, std::string>& values) {
        for (const char* name : {"TM_DATABASE_URL_READER",
                                 "TM_DATABASE_URL_WRITER",
                                 "TM_DATABASE_URL_OWNER",
                                 "TM_DATABASE_URL",
                                 "DATABASE_URL",
                                 "PGHOST",
                                 "PGHOSTADDR",
                                 "PGPORT",
                                 "PGDATABASE",
                                 "PGSERVICE",
                                 "TM_HOME"}) {
            if (const char* v = std::getenv(name)) {
                m_saved[name] = v;
            }
            ::unsetenv(name);
        }
        for (const auto& [name, value] : values) {
            ::setenv(name.c_str(), value.c_str(), 1);
        }
    }
    ~Environment() {
        for (const auto& [name, value] : m_saved) {
            ::setenv(name.c_str(), value.c_str(), 1);
        }
    }
    Environment(const Environment&) = delete;
    Environment& operator=(const Environment&) = delete;

private:
    std::map<std::string, std::string> m_saved;
};

std::string origin(const std::optional<std::string>& flag, db::Role role) {
    return db::select_target(flag, role).origin;
}

} // namespace

TEST_CASE("db::select_target: each source of an address beats the ones after it") {
    const std::map<std::string, std::string> all = {{"TM_DATABASE_URL_READER", "dbname=r"},
                                                    {"TM_DATABASE_URL_WRITER", "dbname=w"},
                                                    {"TM_DATABASE_URL", "dbname=t"},
                                                    {"DATABASE_URL", "dbname=d"},
                                                    {"PGDATABASE", "p"},
                                                    {"TM_HOME", "/nonexistent/tm-home"}};
    {
        Environment env(all);
        CHECK(origin(std::string("dbname=flag"), db::Role::reader) == "--db");
        CHECK(db::select_target(std::string("dbname=flag"), db::Role::reader).conninfo
              == "dbname=flag");
        CHECK(origin(std::nullopt, db::Role::reader) == "TM_DATABASE_URL_READER");
        CHECK(origin(std::nullopt, db::Role::writer) == "TM_DATABASE_URL_WRITER");
        // No owner's address: the general one.
        CHECK(origin(std::nullopt, db::Role::owner) == "TM_DATABASE_URL");
    }
    auto rest = all;
    rest.erase("TM_DATABASE_URL_READER");
    rest.erase("TM_DATABASE_URL_WRITER");
    {
        Environment env(rest);
        CHECK(origin(std::nullopt, db::Role::reader) == "TM_DATABASE_URL");
    }
    rest.erase("TM_DATABASE_URL");
    {
        Environment env(rest);
        CHECK(origin(std::nullopt, db::Role::reader) == "DATABASE_URL");
    }
    rest.erase("DATABASE_URL");
    {
        Environment env(rest);
        const auto t = db::select_target(std::nullopt, db::Role::writer);
        CHECK(t.origin == "PG* environment");
        CHECK(t.conninfo.empty());
        CHECK_FALSE(t.embedded);
    }
    // Any of libpq's server or database variables alone means libpq's conventions, not the
    // embedded cluster (PGSERVICE alone used to be ignored).
    for (const char* name : {"PGHOST", "PGHOSTADDR", "PGPORT", "PGDATABASE", "PGSERVICE"}) {
        Environment env({{name, name == std::string("PGPORT") ? "5433" : "x"},
                         {"TM_HOME", "/nonexistent/tm-home"}});
        CHECK(origin(std::nullopt, db::Role::reader) == "PG* environment");
    }
    {
        Environment env(std::map<std::string, std::string>{{"TM_HOME", "/nonexistent/tm-home"}});
        for (const auto role : {db::Role::reader, db::Role::writer, db::Role::owner}) {
            const auto t = db::select_target(std::nullopt, role);
            CHECK(t.embedded);
            CHECK(t.home == "/nonexistent/tm-home");
            CHECK(t.conninfo.find(std::string("user=") + std::string(db::role_name(role)))
                  != std::string::npos);
        }
    }
}

TEST_CASE("db::select_target: a malformed or empty address is a usage error naming its origin") {
    Environment env(
        std::map<std::string, std::string>{{"TM_DATABASE_URL_READER", "postgresql://u:pw@[bad"}});
    CHECK_THROWS_AS(db::select_target(std::nullopt, db::Role::reader), core::UsageError);
    CHECK_THROWS_WITH(db::select_target(std::nullopt, db::Role::reader),
                      Catch::Contains("TM_DATABASE_URL_READER is not a valid database address"));
    CHECK_THROWS_WITH(db::select_target(std::string(""), db::Role::writer),
                      Catch::Contains("--db is empty"));
}

TEST_CASE("db::portable_conninfo: quoted for libpq, never a password") {
    CHECK(db::portable_conninfo("host=/tmp/x dbname=tm user=tm_reader password=hunter2")
          == "user=tm_reader dbname=tm host=/tmp/x"); // libpq's order of options
    CHECK(db::portable_conninfo("dbname='a b' application_name='it\\'s'")
          == "dbname='a b' application_name='it\\'s'");
    CHECK(db::portable_conninfo("postgresql://u:pw@db.example/tm?sslmode=require")
          == "user=u dbname=tm host=db.example sslmode=require");
}
