#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace db {

// The PostgreSQL server tm owns when no database is configured (ARCHITECTURE §8): a real
// cluster under $TM_HOME/pg, listening on a unix socket only, in owner-only directories. As
// root it runs as the `postgres` user, because initdb and postgres refuse to run as root.
class EmbeddedCluster {
public:
    explicit EmbeddedCluster(std::string home);

    // $TM_HOME, else ~/.local/share/tm, or /var/lib/tm for root.
    static std::string default_home();

    bool initialized() const;
    // initdb, configuration, first start and `CREATE DATABASE tm`. Throws core::Error.
    void init();
    // Starts the server unless it already answers; safe when several tm commands race.
    void start();
    bool running() const;
    // Returns false when it was not running.
    bool stop();

    // The cluster's superuser, made by initdb; used only by tm setup to create tm's roles.
    static constexpr const char* k_admin = "tm";

    // The address of the tm database for `user` (a role, or k_admin).
    std::string conninfo(std::string_view user) const;
    const std::string& home() const { return m_home; }
    const std::string& data_dir() const { return m_data_dir; }
    const std::string& socket_dir() const { return m_socket_dir; }

private:
    std::string tool(const std::string& name) const;
    void run_tool(const std::vector<std::string>& argv, const std::string& what) const;

    std::string m_home;
    std::string m_pg_dir;
    std::string m_data_dir;
    std::string m_socket_dir;
    std::string m_log_file;
};

} // namespace db
