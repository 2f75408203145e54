// tm: the front-end. Runs the sibling executable tm-CMD (then tm-CMD on $PATH), git-style, so
// each command stays a small program of its own.
#include <tm/core/error.hpp>
#include <tm/core/process.hpp>
#include <tm/core/strings.hpp>
#include <tm/core/version.hpp>

#include <fmt/format.h>

#include <unistd.h>

#include <climits>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace {

struct Command {
    std::string_view name;
    std::string_view summary;
};

// The command table: one line per tm-CMD executable.
constexpr Command k_commands[] = {
    {"setup", "create or upgrade the schema; create/start/stop the embedded database"},
    {"pull", "take a current snapshot of a source and upsert it (defillama, artemis, …)"},
    {"backfill", "load a source's history for a date range, resumable, never overwriting"},
    {"detect", "judge the anomaly rules, open and resolve alerts, notify Slack/webhook/log"},
    {"serve", "read-only JSON over HTTP, Prometheus /metrics, a dashboard for browsers"},
    {"status", "health of every feed for people and monitoring (exit 0 OK, 1, 2, 3 UNKNOWN)"},
    {"query", "read stored points: latest values or history, by source, asset, metric or entity"},
    {"compact", "apply the retention policy (roll up, then free old raw points); rebuild candles"},
};

void print_help(std::FILE* out) {
    fmt::print(
        out, "tm {} - a PostgreSQL history of crypto and DeFi market data\n\n", core::version());
    fmt::print(out, "Usage: tm COMMAND [ARGS...]   (tm help COMMAND for its flags)\n\ncommands:\n");
    for (const auto& c : k_commands) {
        fmt::print(out, "  {:<10} {}\n", c.name, c.summary);
    }
    fmt::print(
        out,
        "\nexit codes: 0 ok, 1 failed, 2 usage or configuration error (nothing attempted),\n"
        "            3 partial (some assets failed, the rest written), 4 database unreachable,\n"
        "            5 another run holds the source lock\n");
}

std::string self_dir() {
    char buffer[PATH_MAX];
    const ssize_t n = ::readlink("/proc/self/exe", buffer, sizeof buffer - 1);
    if (n <= 0) {
        return {};
    }
    std::string path(buffer, static_cast<size_t>(n));
    return path.substr(0, path.rfind('/'));
}

[[noreturn]] void exec_command(const std::string& program, int argc, char** argv) {
    std::vector<char*> args;
    args.push_back(const_cast<char*>(program.c_str()));
    for (int i = 2; i < argc; ++i) {
        args.push_back(argv[i]);
    }
    args.push_back(nullptr);
    ::execv(program.c_str(), args.data());
    fmt::print(stderr, "tm: cannot run {}\n", program);
    std::exit(static_cast<int>(core::ExitCode::failed));
}

// The executable for `name`: the sibling first, then $PATH.
std::optional<std::string> find_command(const std::string& name) {
    const std::string sibling = self_dir() + "/tm-" + name;
    if (::access(sibling.c_str(), X_OK) == 0) {
        return sibling;
    }
    return core::process::find_in_path("tm-" + name);
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        print_help(stderr);
        return static_cast<int>(core::ExitCode::usage);
    }
    const std::string first = argv[1];
    if (first == "--version" || first == "version") {
        fmt::print("tm {}\n", core::version());
        return 0;
    }
    if (first == "help" || first == "--help" || first == "-h") {
        if (argc > 2) {
            if (auto program = find_command(argv[2])) {
                char help[] = "--help";
                char* forwarded[] = {argv[0], argv[2], help, nullptr};
                exec_command(*program, 3, forwarded);
            }
            fmt::print(stderr, "tm: no help for unknown command '{}'\n", argv[2]);
            return static_cast<int>(core::ExitCode::usage);
        }
        print_help(stdout);
        return 0;
    }
    if (first.starts_with('-')) {
        fmt::print(stderr, "tm: unknown option '{}'; see tm help\n", first);
        return static_cast<int>(core::ExitCode::usage);
    }
    if (auto program = find_command(first)) {
        exec_command(*program, argc, argv);
    }
    std::vector<std::string> names;
    for (const auto& c : k_commands) {
        names.emplace_back(c.name);
    }
    std::string message = fmt::format("tm: unknown command '{}'", first);
    if (auto guess = core::strings::closest(first, names)) {
        message += fmt::format("; did you mean '{}'?", *guess);
    }
    fmt::print(stderr, "{}\nsee tm help for the list of commands\n", message);
    return static_cast<int>(core::ExitCode::usage);
}
