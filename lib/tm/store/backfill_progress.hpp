#pragma once

#include <tm/core/time.hpp>
#include <tm/db/connection.hpp>
#include <tm/store/progress_key.hpp>

#include <map>
#include <string>

namespace store {

// The backfill_progress rows of `source`: through when each (asset, metric) history is complete,
// so that a backfill resumes where earlier runs stopped.
std::map<ProgressKey, core::Time> load_progress(db::Connection& conn, const std::string& source);

// Moves those resume points forward to `through` (never backwards: a run with a later --since
// must not forget what earlier runs completed). Call it in the transaction of the chunks that
// complete them, so a resume point is never ahead of its points.
void advance_progress(db::Connection& conn,
                      const std::string& source,
                      const std::map<ProgressKey, core::Time>& through);

} // namespace store
