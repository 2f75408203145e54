#pragma once

#include <tm/db/connection.hpp>
#include <tm/report/rows.hpp>
#include <tm/rules/alert_event.hpp>

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

namespace rules {

struct Applied {
    std::vector<AlertEvent> events; // opened and resolved by this run
    long long refreshed = 0;        // open alerts seen again with newer data
    long long open = 0;             // open alerts after the run
};

// The alert lifecycle over the judgements in detect_eval (rules/evaluate.hpp): a firing key
// without an open alert opens one; a firing key with one refreshes its value and last_seen_at
// when the data is newer; a judged key that no longer fires resolves it. Keys that were not
// judged (too little or too old data) keep their alerts as they are. value, baseline and
// message are the latest judgement's (on a resolved alert: the one that resolved it). Times are
// the data's, so judging the same data twice changes nothing.
Applied apply(db::Connection& conn);

// What apply() would do, without writing anything but session-private temporary tables, so a
// read-only role can ask (tm detect --dry-run): the very same statements run against a
// temporary copy of the open alerts that shadows the alerts table for this transaction. Run it
// in a read-write transaction that is rolled back.
Applied preview(db::Connection& conn);

// Events no channel run has settled yet: alerts not notified as opened, resolutions not
// notified, oldest first (an alert's opening before its resolution).
std::vector<AlertEvent> pending_events(db::Connection& conn);

// Backtest report from detect_eval: one row per episode in which a rule fired for a key (rule,
// severity, target, opened, resolved — empty while still firing at the end —, points that
// fired, first message). Returns the episodes written.
long long write_episodes(db::Connection& conn, report::Format format, std::FILE* out);

} // namespace rules
