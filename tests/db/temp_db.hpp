#pragma once

#include <tm/db/connection.hpp>
#include <tm/db/migrate.hpp>

#include <fmt/format.h>

#include <unistd.h>

#include <cstdlib>
#include <string>

// A throw-away database on the test server (PG* variables, set by scripts/test), with the tm
// schema applied (unless `with_schema` is false). Dropped on destruction unless TM_KEEP_TEST_DB
// is set.
class TempDb {
public:
    explicit TempDb(bool with_schema = true)
        : m_name(fmt::format("tm_test_{}_{}", ::getpid(), next_number())) {
        db::Connection admin("dbname=postgres");
        admin.exec(fmt::format("CREATE DATABASE {}", m_name));
        if (with_schema) {
            db::Connection conn(conninfo());
            db::apply_migrations(conn);
        }
    }
    ~TempDb() {
        if (std::getenv("TM_KEEP_TEST_DB") != nullptr) {
            return;
        }
        try {
            db::Connection admin("dbname=postgres");
            admin.exec(fmt::format("DROP DATABASE IF EXISTS {} WITH (FORCE)", m_name));
        } catch (...) {
        }
    }
    TempDb(const TempDb&) = delete;
    TempDb& operator=(const TempDb&) = delete;

    std::string conninfo() const { return "dbname=" + m_name; }
    db::Connection connect() const { return db::Connection(conninfo()); }

private:
    static int next_number() {
        static int n = 0;
        return ++n;
    }
    std::string m_name;
};
