#include <tm/core/error.hpp>
#include <tm/core/files.hpp>
#include <tm/core/log.hpp>
#include <tm/core/process.hpp>
#include <tm/db/connection.hpp>
#include <tm/db/embedded_cluster.hpp>

#include <fmt/format.h>
#include <libpq-fe.h>

#include <fcntl.h>
#include <pwd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

namespace db {
namespace {

namespace fs = std::filesystem;

constexpr const char* k_service_user = "postgres";
constexpr const char* k_database = "tm";

bool is_root() {
    return ::geteuid() == 0;
}

// Where PostgreSQL's server programs live: TM_PG_BINDIR, then $PATH, then the newest
// /usr/lib/postgresql/<version>/bin (Debian keeps them off $PATH).
std::string find_bindir() {
    if (const char* dir = std::getenv("TM_PG_BINDIR"); dir != nullptr && *dir != '\0') {
        return dir;
    }
    if (auto pg_ctl = core::process::find_in_path("pg_ctl")) {
        return fs::path(*pg_ctl).parent_path().string();
    }
    std::vector<std::pair<int, std::string>> found;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
        const auto bin = entry.path() / "bin";
        if (fs::exists(bin / "pg_ctl", ec)) {
            found.emplace_back(std::atoi(entry.path().filename().c_str()), bin.string());
        }
    }
    if (found.empty()) {
        throw core::Error(
            "PostgreSQL server programs not found; install them with `apt-get install "
            "postgresql` (or set TM_PG_BINDIR, or point TM_DATABASE_URL at a server)");
    }
    std::sort(found.begin(), found.end());
    return found.back().second;
}

void make_private_dir(const std::string& path) {
    std::error_code ec;
    fs::create_directories(path, ec);
    if (ec) {
        throw core::Error(fmt::format("cannot create {}: {}", path, ec.message()));
    }
    ::chmod(path.c_str(), 0700);
    if (is_root()) {
        const passwd* pw = ::getpwnam(k_service_user);
        if (pw == nullptr) {
            throw core::Error("user 'postgres' does not exist; install PostgreSQL with `apt-get "
                              "install postgresql` or run tm as a normal user");
        }
        if (::chown(path.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
            throw core::Error(
                fmt::format("cannot hand {} to user postgres: {}", path, std::strerror(errno)));
        }
    }
}

// Serialises cluster start-up between tm processes with an flock on a file in $TM_HOME.
class StartLock {
public:
    explicit StartLock(const std::string& path)
        : m_fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600)) {
        if (m_fd >= 0) {
            ::flock(m_fd, LOCK_EX);
        }
    }
    ~StartLock() {
        if (m_fd >= 0) {
            ::close(m_fd);
        }
    }
    StartLock(const StartLock&) = delete;
    StartLock& operator=(const StartLock&) = delete;

private:
    int m_fd;
};

} // namespace

EmbeddedCluster::EmbeddedCluster(std::string home)
    : m_home(std::move(home)), m_pg_dir(m_home + "/pg"), m_data_dir(m_pg_dir + "/data"),
      m_socket_dir(m_pg_dir + "/run"), m_log_file(m_pg_dir + "/server.log") {}

std::string EmbeddedCluster::default_home() {
    if (const char* home = std::getenv("TM_HOME"); home != nullptr && *home != '\0') {
        return home;
    }
    if (is_root()) {
        return "/var/lib/tm";
    }
    if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg != nullptr && *xdg != '\0') {
        return std::string(xdg) + "/tm";
    }
    if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
        return std::string(home) + "/.local/share/tm";
    }
    throw core::UsageError("cannot tell where to keep the embedded database: set TM_HOME or HOME");
}

std::string EmbeddedCluster::tool(const std::string& name) const {
    return find_bindir() + "/" + name;
}

void EmbeddedCluster::run_tool(const std::vector<std::string>& argv,
                               const std::string& what) const {
    core::process::Options options;
    if (is_root()) {
        options.run_as = k_service_user;
    }
    const auto result = core::process::run(argv, options);
    if (result.exit_status != 0) {
        std::string tail = result.output;
        if (tail.size() > 600) {
            tail = fmt::format("…{}", tail.substr(tail.size() - 600));
        }
        throw core::Error(fmt::format("{} failed (exit {}): {}", what, result.exit_status, tail));
    }
}

bool EmbeddedCluster::initialized() const {
    std::error_code ec;
    return fs::exists(m_data_dir + "/PG_VERSION", ec);
}

std::string EmbeddedCluster::conninfo(std::string_view user) const {
    return fmt::format(
        "host={} port=5432 user={} dbname={} connect_timeout=10", m_socket_dir, user, k_database);
}

bool EmbeddedCluster::running() const {
    const std::string info = fmt::format(
        "host={} port=5432 user={} dbname=postgres connect_timeout=5", m_socket_dir, k_admin);
    return PQping(info.c_str()) == PQPING_OK;
}

void EmbeddedCluster::init() {
    std::error_code ec;
    fs::create_directories(m_home, ec);
    if (ec) {
        throw core::Error(fmt::format("cannot create TM_HOME {}: {}", m_home, ec.message()));
    }
    if (is_root()) {
        // The postgres user must be able to pass through $TM_HOME to reach its own 0700 folder.
        struct stat st {};
        if (::stat(m_home.c_str(), &st) == 0 && (st.st_mode & S_IXOTH) == 0) {
            ::chmod(m_home.c_str(), (st.st_mode & 07777) | S_IXOTH);
        }
    }
    make_private_dir(m_pg_dir);
    make_private_dir(m_socket_dir);
    if (!initialized()) {
        core::log::info("creating the embedded PostgreSQL cluster in {}", m_data_dir);
        run_tool({tool("initdb"),
                  "-D",
                  m_data_dir,
                  "-U",
                  k_admin,
                  "--auth-local=trust",
                  "--auth-host=reject",
                  "-E",
                  "UTF8",
                  "--locale=C",
                  "--no-instructions"},
                 "initdb");
        // The socket lives in a 0700 directory: only its owner (and root) can connect, which is
        // what makes trust authentication safe here. No TCP listener at all.
        const std::string conf =
            fmt::format("\n# tm embedded cluster\nlisten_addresses = ''\nport = 5432\n"
                        "unix_socket_directories = '{}'\nunix_socket_permissions = 0700\n",
                        m_socket_dir);
        const std::string conf_path = m_data_dir + "/postgresql.conf";
        std::string existing = core::files::read(conf_path);
        existing += conf;
        core::files::write_atomically(conf_path, existing, 0600);
        if (is_root()) {
            const passwd* pw = ::getpwnam(k_service_user);
            if (pw == nullptr || ::chown(conf_path.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
                throw core::Error(fmt::format("cannot hand {} to user postgres", conf_path));
            }
        }
    }
    start();
    Connection admin(
        fmt::format("host={} port=5432 user={} dbname=postgres", m_socket_dir, k_admin));
    if (admin.exec("SELECT 1 FROM pg_database WHERE datname = $1", {std::string(k_database)}).rows()
        == 0) {
        admin.exec(fmt::format("CREATE DATABASE {}", k_database));
    }
}

void EmbeddedCluster::start() {
    if (running()) {
        return;
    }
    if (!initialized()) {
        throw Unreachable(
            fmt::format("no database is configured and the embedded one in {} does not "
                        "exist yet; run `tm setup` (or set TM_DATABASE_URL)",
                        m_home));
    }
    StartLock lock(m_pg_dir + "/start.lock");
    if (running()) {
        return;
    }
    core::log::info("starting the embedded PostgreSQL server ({})", m_data_dir);
    try {
        run_tool(
            {tool("pg_ctl"), "-D", m_data_dir, "-l", m_log_file, "-w", "-t", "60", "-s", "start"},
            "starting the embedded PostgreSQL server");
    } catch (const core::Error& e) {
        throw Unreachable(fmt::format("{} (see {})", e.what(), m_log_file));
    }
}

bool EmbeddedCluster::stop() {
    if (!initialized() || !running()) {
        return false;
    }
    run_tool({tool("pg_ctl"), "-D", m_data_dir, "-m", "fast", "-w", "-s", "stop"},
             "stopping the embedded PostgreSQL server");
    return true;
}

} // namespace db
