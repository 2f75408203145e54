#include <tm/core/error.hpp>
#include <tm/core/process.hpp>

#include <fmt/format.h>

#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace core::process {

std::optional<std::string> find_in_path(const std::string& program) {
    const char* path = std::getenv("PATH");
    if (path == nullptr) {
        return std::nullopt;
    }
    std::string_view rest(path);
    while (!rest.empty()) {
        const size_t colon = rest.find(':');
        const std::string dir(rest.substr(0, colon));
        rest = colon == std::string_view::npos ? std::string_view{} : rest.substr(colon + 1);
        if (dir.empty()) {
            continue;
        }
        const std::string candidate = dir + "/" + program;
        if (::access(candidate.c_str(), X_OK) == 0) {
            return candidate;
        }
    }
    return std::nullopt;
}

Result run(const std::vector<std::string>& argv, const Options& options) {
    if (argv.empty()) {
        throw Error("internal error: empty command line");
    }
    const passwd* user = nullptr;
    if (options.run_as && ::geteuid() == 0) {
        user = ::getpwnam(options.run_as->c_str());
        if (user == nullptr) {
            throw Error(fmt::format("user '{}' does not exist; install PostgreSQL (which creates "
                                    "it) or run tm as a normal user",
                                    *options.run_as));
        }
    }
    int fds[2];
    if (::pipe(fds) != 0) {
        throw Error(fmt::format("cannot create a pipe: {}", std::strerror(errno)));
    }
    std::vector<char*> args;
    for (const auto& a : argv) {
        args.push_back(const_cast<char*>(a.c_str()));
    }
    args.push_back(nullptr);

    const pid_t pid = ::fork();
    if (pid < 0) {
        throw Error(fmt::format("cannot start {}: {}", argv[0], std::strerror(errno)));
    }
    if (pid == 0) {
        ::dup2(fds[1], STDOUT_FILENO);
        ::dup2(fds[1], STDERR_FILENO);
        ::close(fds[0]);
        ::close(fds[1]);
        if (::chdir(options.cwd.c_str()) != 0) {
            _exit(126);
        }
        if (user != nullptr) {
            if (::setgid(user->pw_gid) != 0 || ::initgroups(user->pw_name, user->pw_gid) != 0
                || ::setuid(user->pw_uid) != 0) {
                _exit(126);
            }
            ::setenv("HOME", user->pw_dir, 1);
            ::setenv("USER", user->pw_name, 1);
        }
        ::execvp(args[0], args.data());
        _exit(127);
    }
    ::close(fds[1]);
    Result result;
    char buffer[4096];
    ssize_t n = 0;
    while ((n = ::read(fds[0], buffer, sizeof buffer)) != 0) {
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            break;
        }
        result.output.append(buffer, static_cast<size_t>(n));
    }
    ::close(fds[0]);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (WIFEXITED(status)) {
        result.exit_status = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
        result.exit_status = 128 + WTERMSIG(status);
    }
    if (result.exit_status == 127) {
        throw Error(fmt::format("cannot run '{}': program not found", argv[0]));
    }
    return result;
}

bool check_only() {
    const char* check = std::getenv("TM_CHECK_ARGS");
    return check != nullptr && *check != '\0';
}

std::string host_name() {
    char host[256] = {};
    ::gethostname(host, sizeof host - 1);
    return host;
}

bool is_running(int pid) {
    return pid > 0 && (::kill(pid, 0) == 0 || errno == EPERM);
}

} // namespace core::process
