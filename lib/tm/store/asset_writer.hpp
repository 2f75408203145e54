#pragma once

#include <tm/db/connection.hpp>
#include <tm/store/asset.hpp>

#include <vector>

namespace store {

// Upserts `assets` in one statement after a COPY (the latest description wins; an unchanged row
// is not rewritten). Returns the rows inserted or changed. Run it inside the pull transaction.
long long write_assets(db::Connection& conn, const std::vector<Asset>& assets);

} // namespace store
