#pragma once

#include <tm/core/time.hpp>
#include <tm/db/connection.hpp>

#include <cstdio>

namespace query {

// tm query --interactive (seed 004's helper, done properly): on a terminal, picks a source,
// an asset (narrowed by typing part of its name), a metric and a number of days from what is
// stored, then shows the rows or writes them to a CSV file. Enter takes the default shown in
// brackets; q quits. Throws core::UsageError when `in` or `out` is not a terminal.
void run_interactive(db::Connection& conn, std::FILE* in, std::FILE* out, core::Time now);

} // namespace query
