#include <tm/core/interrupt.hpp>
#include <tm/core/log.hpp>
#include <tm/core/secrets.hpp>
#include <tm/core/strings.hpp>
#include <tm/db/advisory_lock.hpp>
#include <tm/db/connection.hpp>
#include <tm/db/migrate.hpp>
#include <tm/db/target.hpp>
#include <tm/jobs/detect.hpp>
#include <tm/notify/dispatch.hpp>
#include <tm/report/metrics_file.hpp>
#include <tm/rules/evaluate.hpp>
#include <tm/rules/lifecycle.hpp>
#include <tm/rules/rules_file.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

namespace jobs {
namespace {

// A webhook URL from the environment, registered as a secret; "" when unset. Throws
// UsageError (without the value) when it is not an http(s) URL.
std::string webhook_url(const char* variable) {
    std::string url = core::secrets::from_env(variable);
    if (!url.empty() && !url.starts_with("https://") && !url.starts_with("http://")) {
        throw core::UsageError(fmt::format(
            "{} is not an http(s) URL; set it to the webhook's full https:// address", variable));
    }
    return url;
}

struct ChannelSettings {
    std::string slack;
    std::string webhook;
    std::string webhook_secret;
    std::optional<std::string> alert_log;
};

// Reads and checks every channel setting before anything is judged.
ChannelSettings channel_settings(const DetectOptions& o) {
    ChannelSettings s;
    s.slack = webhook_url("SLACK_WEBHOOK_URL");
    s.webhook = webhook_url("TM_WEBHOOK_URL");
    s.webhook_secret = core::secrets::from_env("TM_WEBHOOK_SECRET");
    if (o.alert_log) {
        const auto parent = std::filesystem::absolute(*o.alert_log).parent_path();
        if (!std::filesystem::is_directory(parent)) {
            throw core::UsageError(
                fmt::format("--alert-log {}: folder {} does not exist; create it first",
                            *o.alert_log,
                            parent.string()));
        }
        s.alert_log = o.alert_log;
    }
    return s;
}

core::ExitCode
backtest(db::Connection& conn, const std::vector<rules::Rule>& rules, const DetectOptions& o) {
    if (!o.since) {
        throw core::UsageError("--backtest needs --since DATE (the start of the replay)");
    }
    // --until is exclusive; without it the replay includes a point stamped exactly now.
    const core::Time until = o.until.value_or(core::Clock::now() + core::Duration{1});
    if (*o.since >= until) {
        throw core::UsageError("--since must be before --until");
    }
    // Judgements go into a temporary table and are rolled back: the alerts table is untouched.
    db::Transaction tx(conn, db::Access::read_write);
    const auto judged = rules::judge_history(conn, rules, *o.since, until);
    const long long episodes = rules::write_episodes(conn, o.format, stdout);
    core::log::info("backtest {} .. {}: {} rules, {} judgements ({} firing), {} episodes",
                    core::format_iso8601(*o.since),
                    core::format_iso8601(until),
                    rules.size(),
                    judged.rows,
                    judged.firing,
                    episodes);
    return core::ExitCode::ok;
}

// Judges every rule now and opens, refreshes and resolves alerts — or, for a dry run, only
// works out what that would do — then prints each event on stdout and a summary in the log.
void judge(db::Connection& conn, const std::vector<rules::Rule>& rules, bool dry_run) {
    rules::Applied applied;
    rules::Judged judged;
    {
        db::Transaction tx(conn, dry_run ? db::Access::read_write : db::Access::by_default);
        judged = rules::judge_now(conn, rules, core::Clock::now());
        applied = dry_run ? rules::preview(conn) : rules::apply(conn);
        // A signal during the judgement (its statements are not interrupted) rolls it all back.
        core::interrupt::check();
        if (!dry_run) {
            tx.commit();
        }
    }
    for (const auto& e : applied.events) {
        // Names and messages come from APIs: shown escaped, like every line meant for a terminal.
        fmt::print("{}{}\n",
                   dry_run ? "would be " : "",
                   core::strings::terminal_safe(notify::describe(e)));
    }
    std::fflush(stdout);
    const auto opened = std::count_if(applied.events.begin(),
                                      applied.events.end(),
                                      [](const auto& e) { return e.event == "opened"; });
    core::log::info("{}{} rules judged {} series or sources ({} firing): {} opened, {} resolved, "
                    "{} seen again, {} open",
                    dry_run ? "dry run, nothing stored or sent: " : "",
                    rules.size(),
                    judged.rows,
                    judged.firing,
                    opened,
                    static_cast<long long>(applied.events.size()) - opened,
                    applied.refreshed,
                    applied.open);
}

} // namespace

core::ExitCode run_detect(const DetectOptions& o, report::RunMetrics& metrics) {
    core::interrupt::install();
    const auto rules = rules::only(rules::load_rules(o.rules_file), o.only);
    const ChannelSettings settings = channel_settings(o);
    // Judging without storing needs only the reader (and its own temporary tables).
    const bool reads_only = o.backtest || o.dry_run;
    db::Connection conn =
        db::connect(db::select_target(o.db, reads_only ? db::Role::reader : db::Role::writer));
    db::require_schema(conn);
    if (o.backtest) {
        return backtest(conn, rules, o);
    }
    if (o.dry_run) {
        judge(conn, rules, true);
        return core::ExitCode::ok;
    }
    // Two detect runs at once would send the same events twice: they queue instead.
    db::AdvisoryLock lock(conn, "tm:detect");
    if (!lock.acquire(std::chrono::duration_cast<std::chrono::milliseconds>(o.lock_wait))) {
        throw core::Error(fmt::format("another tm detect (backend pid {}) is still running after "
                                      "{}; not starting a second (--lock-wait)",
                                      lock.holder_pid(),
                                      core::format_duration(o.lock_wait)),
                          core::ExitCode::locked);
    }

    judge(conn, rules, false);

    http::Client http(o.http);
    std::vector<std::unique_ptr<notify::Channel>> channels;
    if (!settings.slack.empty()) {
        channels.push_back(notify::make_slack(settings.slack, http));
    }
    if (!settings.webhook.empty()) {
        channels.push_back(notify::make_webhook(settings.webhook, settings.webhook_secret, http));
    }
    if (settings.alert_log) {
        channels.push_back(notify::make_alert_log(*settings.alert_log));
    }
    const auto sent = notify::dispatch(conn, channels);
    if (channels.empty()) {
        core::log::debug("no notification channel configured; events stay pending");
    } else if (sent.events > 0) {
        core::log::info("notified {} of {} pending events ({} deliveries)",
                        sent.settled,
                        sent.events,
                        sent.delivered);
    }
    for (const auto& e : sent.errors) {
        core::log::error("{}", e);
    }
    metrics.http = http.stats();
    metrics.errors = static_cast<long long>(sent.errors.size());
    metrics.undelivered_events = sent.events - sent.settled;
    // dispatch() stops sending at a signal but records what arrived; the run ends here.
    core::interrupt::check();
    return sent.errors.empty() ? core::ExitCode::ok : core::ExitCode::partial;
}

} // namespace jobs
