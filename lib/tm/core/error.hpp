#pragma once

#include <csignal>
#include <stdexcept>
#include <string>

namespace core {

// Process exit codes shared by every tm command (README "Exit codes", ARCHITECTURE §7).
enum class ExitCode : int {
    ok = 0,
    failed = 1,
    usage = 2,
    partial = 3,
    db_unreachable = 4,
    locked = 5,
    // 128 + the signal, the shell's convention for a process a signal ended.
    interrupted_by_sigint = 130,
    interrupted_by_sigterm = 143,
};

// Base for errors thrown on purpose; what() is one complete sentence for the user.
class Error : public std::runtime_error {
public:
    explicit Error(const std::string& message, ExitCode code = ExitCode::failed)
        : std::runtime_error(message), m_code(code) {}
    ExitCode code() const noexcept { return m_code; }

private:
    ExitCode m_code;
};

// Bad flags, configuration or names: nothing was attempted.
class UsageError : public Error {
public:
    explicit UsageError(const std::string& message) : Error(message, ExitCode::usage) {}
};

// A response that is not what the source documents (wrong shape, invalid JSON). It fails that
// request's asset, not the run.
class DataError : public Error {
public:
    explicit DataError(const std::string& message) : Error(message, ExitCode::failed) {}
};

// Thrown where a command would first touch its database while TM_CHECK_ARGS is set: everything
// that needs no database (flags, names, files, folders) has been checked by then. Deliberately
// not a std::exception, so that handlers of errors (tm status turns every std::exception into
// UNKNOWN) let it through to cli::run_main, which exits 0.
struct ChecksPassed {};

// SIGINT or SIGTERM asked the run to stop (core::interrupt): thrown at the next safe point, so
// the run ends like a failed one (nothing half-written, journal closed) with exit 128 + signal.
class Interrupted : public Error {
public:
    explicit Interrupted(int signal)
        : Error(signal == SIGINT ? "interrupted by SIGINT" : "interrupted by SIGTERM",
                static_cast<ExitCode>(128 + signal)),
          m_signal(signal) {}
    int signal() const noexcept { return m_signal; }

private:
    int m_signal;
};

} // namespace core
