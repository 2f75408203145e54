#pragma once

#include <tm/core/error.hpp>
#include <tm/core/time.hpp>
#include <tm/http/client.hpp>
#include <tm/report/metrics_file.hpp>
#include <tm/sources/source.hpp>

#include <optional>
#include <string>

namespace jobs {

struct PullOptions {
    std::string source;
    std::optional<std::string> db;
    core::Duration bucket = std::chrono::hours{1};
    http::ClientOptions http;
    sources::Selection selection;
    std::string args; // the command line, for the journal (redacted there)
    // --every/--for: repeat the snapshot every `every` for `duration` inside one invocation
    // (cron's floor is a minute); both or neither.
    std::optional<core::Duration> every;
    std::optional<core::Duration> duration;
};

// `tm pull SOURCE`: one live snapshot, written in one transaction with the live policy, under
// the source's advisory lock, journaled in `pulls`. Returns ok, partial (some endpoints
// failed, the rest written) or failed (nothing written). Throws core::Error for the rest
// (usage 2, database 4, lock 5). With --every, each snapshot is a pull of its own and the exit
// code is the worst of them; an interval the source's request budget cannot sustain is
// refused before anything runs. Candles of what a pull wrote are current when it commits.
core::ExitCode run_pull(const PullOptions& options, report::RunMetrics& metrics);

} // namespace jobs
