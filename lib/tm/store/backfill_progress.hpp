#pragma once

#include <tm/core/time.hpp>
#include <tm/db/connection.hpp>
#include <tm/store/progress_key.hpp>

#include <map>
#include <string>

namespace store {

// The backfill_progress rows of `source`: through when each (asset, metric) history is complete,
// so that a backfill resumes where earlier runs stopped. (ChunkWriter advances them, in the
// transaction of the chunks that complete them.)
std::map<ProgressKey, core::Time> load_progress(db::Connection& conn, const std::string& source);

} // namespace store
