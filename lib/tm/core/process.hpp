#pragma once

#include <optional>
#include <string>
#include <vector>

namespace core::process {

struct Options {
    // When running as root, drop to this user before exec (initdb and postgres refuse root).
    std::optional<std::string> run_as;
    std::string cwd = "/";
};

struct Result {
    int exit_status = -1; // the program's exit status; 128+N when killed by signal N
    std::string output;   // stdout and stderr interleaved
};

// Runs `argv` (argv[0] looked up in $PATH unless it contains '/') to completion, capturing its
// output. Throws core::Error if it cannot be started.
Result run(const std::vector<std::string>& argv, const Options& options = {});

// Finds `program` in $PATH; nullopt when absent.
std::optional<std::string> find_in_path(const std::string& program);

// TM_CHECK_ARGS is set: commands check their command line and stop before their database
// (core::ChecksPassed).
bool check_only();

// This machine's host name.
std::string host_name();

// Whether a process with this pid exists on this machine.
bool is_running(int pid);

} // namespace core::process
