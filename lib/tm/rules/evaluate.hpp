#pragma once

#include <tm/core/time.hpp>
#include <tm/db/connection.hpp>
#include <tm/rules/rule.hpp>

#include <vector>

namespace rules {

// Judging writes into the temporary table detect_eval, one row per judgement:
//   (rule, severity, series_id, subject, ts, value, baseline, firing, message)
// created by these calls and dropped at the end of the caller's transaction. Each rule is one
// SQL statement over every series it selects; no statement per series.
struct Judged {
    long long rows = 0;   // judgements
    long long firing = 0; // of which the condition holds
};

// Judges the newest point (as of `now`) of each selected series that is younger than the
// rule's max_age; staleness judges each scheduled source as of `now`.
Judged judge_now(db::Connection& conn, const std::vector<Rule>& rules, core::Time now);

// Judges every stored point in [since, until), as if detect had run at each: for tuning
// thresholds against history (tm detect --backtest). Staleness is judged from the gaps between
// a source's points.
Judged judge_history(db::Connection& conn,
                     const std::vector<Rule>& rules,
                     core::Time since,
                     core::Time until);

} // namespace rules
