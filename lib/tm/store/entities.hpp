#pragma once

#include <tm/db/connection.hpp>

#include <string>
#include <string_view>

namespace store {

// config/entities.csv, compiled in: the default cross-source identities.
std::string_view default_entities_csv();

// Replaces the entities table with the rows of `csv` (entity,source,kind,asset) in one
// transaction. Throws core::UsageError naming `origin` and the line for a bad row, before
// anything changes. Returns the number of rows loaded.
long long load_entities(db::Connection& conn, std::string_view csv, std::string_view origin);

} // namespace store
