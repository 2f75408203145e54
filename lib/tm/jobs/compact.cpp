#include <tm/core/interrupt.hpp>
#include <tm/core/log.hpp>
#include <tm/core/strings.hpp>
#include <tm/db/advisory_lock.hpp>
#include <tm/db/migrate.hpp>
#include <tm/db/target.hpp>
#include <tm/jobs/compact.hpp>
#include <tm/sources/source.hpp>
#include <tm/store/compaction.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <set>

namespace jobs {
namespace {

using SteadyClock = std::chrono::steady_clock;

// Every source an entry names must exist: a misspelt one would silently keep its data forever.
void check_sources(const store::RetentionPolicy& policy) {
    const auto known = sources::source_names();
    for (const auto& entry : policy.entries) {
        for (const auto& s : entry.sources) {
            if (std::find(known.begin(), known.end(), s) == known.end()) {
                throw core::UsageError(fmt::format("{}:{}: unknown source '{}' (known: {})",
                                                   policy.origin,
                                                   entry.line,
                                                   s,
                                                   fmt::join(known, ", ")));
            }
        }
    }
}

// Every metric an entry names must be one a series stores: a misspelt one would silently keep
// its data forever.
void check_metrics(db::Connection& conn, const store::RetentionPolicy& policy) {
    const auto r = conn.exec("SELECT DISTINCT metric FROM series ORDER BY 1");
    std::vector<std::string> known;
    for (int i = 0; i < r.rows(); ++i) {
        known.emplace_back(r.get(i, 0));
    }
    for (const auto& entry : policy.entries) {
        for (const auto& m : entry.metrics) {
            if (std::find(known.begin(), known.end(), m) != known.end()) {
                continue;
            }
            const auto near = core::strings::closest(m, known);
            throw core::UsageError(fmt::format(
                "{}:{}: unknown metric '{}': no series stores it{}",
                policy.origin,
                entry.line,
                m,
                near            ? fmt::format(" (did you mean '{}'?)", *near)
                : known.empty() ? std::string(" (nothing is stored yet)")
                                : fmt::format(" (stored: {})", fmt::join(known, ", "))));
        }
    }
}

// Seals `steps` in transactions of a size that takes about a second each: writers of those
// series wait for each one, so none may be long, and a killed run loses at most one.
void seal_all(db::Connection& conn, const std::vector<store::SealStep>& steps) {
    size_t batch = 16;
    for (size_t i = 0; i < steps.size();) {
        core::interrupt::check();
        const size_t n = std::min(batch, steps.size() - i);
        const auto start = SteadyClock::now();
        store::seal(conn, std::span(steps).subspan(i, n));
        i += n;
        const auto took = SteadyClock::now() - start;
        if (took < std::chrono::milliseconds{250}) {
            batch = std::min<size_t>(batch * 2, 8192);
        } else if (took > std::chrono::seconds{1}) {
            batch = std::max<size_t>(batch / 2, 1);
        }
    }
}

core::ExitCode rebuild(db::Connection& conn, const std::optional<std::string>& source) {
    const auto start = SteadyClock::now();
    const long long n = store::rebuild_candles(conn, source);
    fmt::print("candles rebuilt: {} series{} from their raw points ({:.1f} s); buckets before a "
               "retention horizon kept\n",
               n,
               source ? fmt::format(" of {}", *source) : std::string(),
               std::chrono::duration<double>(SteadyClock::now() - start).count());
    return core::ExitCode::ok;
}

} // namespace

core::ExitCode run_compact(const CompactOptions& o) {
    core::interrupt::install();
    if (o.source && !o.rebuild) {
        throw core::UsageError("--source goes with --rebuild-candles; retention follows --config");
    }
    if (o.source) {
        sources::require_source(*o.source);
    }
    std::optional<store::RetentionPolicy> policy;
    if (!o.rebuild) {
        policy = store::load_retention(o.config);
        check_sources(*policy);
    } else if (o.config) {
        throw core::UsageError("--config goes with retention, not with --rebuild-candles");
    }
    db::Connection conn = db::connect(db::select_target(o.db, db::Role::writer));
    db::require_schema(conn);
    if (policy) {
        check_metrics(conn, *policy);
    }
    db::AdvisoryLock lock(conn, "tm:compact");
    if (!lock.try_acquire()) {
        throw core::Error(
            fmt::format("another tm compact is running (pid {}); not starting a second one",
                        lock.holder_pid()),
            core::ExitCode::locked);
    }
    if (o.rebuild) {
        return rebuild(conn, o.source);
    }

    const core::Time now = core::Clock::now();
    const auto start = SteadyClock::now();
    if (const long long made = store::settle_partitions(conn, now); made > 0) {
        core::log::info("{} monthly partitions of points made", made);
    }
    const auto steps = store::seal_plan(conn, *policy, now);
    seal_all(conn, steps);
    std::set<int32_t> sealed;
    for (const auto& s : steps) {
        sealed.insert(s.series_id);
    }
    if (steps.empty()) {
        fmt::print("rolled up: nothing new (every series is at its horizon)\n");
    } else {
        const auto [lo, hi] =
            std::minmax_element(steps.begin(), steps.end(), [](const auto& a, const auto& b) {
                return a.through < b.through;
            });
        fmt::print("rolled up: {} series up to their horizons ({}{})\n",
                   sealed.size(),
                   lo->through == hi->through ? "" : core::format_date(lo->through) + " to ",
                   core::format_date(hi->through));
    }

    std::vector<std::string> freed;
    int busy = 0;
    for (const auto& month : store::reclaimable_months(conn)) {
        core::interrupt::check();
        switch (store::reclaim(conn, month)) {
        case store::Reclaimed::dropped:
            freed.push_back(month + " dropped");
            break;
        case store::Reclaimed::rewritten:
            freed.push_back(month + " rewritten");
            break;
        case store::Reclaimed::busy:
            ++busy;
            core::log::warn("{} is busy (a long query or write holds points); the next tm "
                            "compact frees it",
                            month);
            break;
        }
    }
    fmt::print("months freed: {}\n",
               freed.empty() ? "none" : fmt::format("{}", fmt::join(freed, ", ")));
    core::log::info("compacted in {:.1f} s",
                    std::chrono::duration<double>(SteadyClock::now() - start).count());
    return busy > 0 ? core::ExitCode::partial : core::ExitCode::ok;
}

} // namespace jobs
