#pragma once

#include <tm/db/connection.hpp>

#include <string>
#include <vector>

namespace store {

// A row of the assets table: what a source calls one of its things.
struct Asset {
    std::string source;
    std::string kind; // protocol | chain | pool | stablecoin | bridge | coin | perp | pair | equity
    std::string asset;
    std::string name;
    std::string symbol;
    std::string chain;
    std::string gecko_id;
    std::string extra_json; // a JSON object, or empty
};

// Upserts `assets` in one statement after a COPY (the latest description wins; an unchanged row
// is not rewritten). Returns the rows inserted or changed. Run it inside the pull transaction.
long long write_assets(db::Connection& conn, const std::vector<Asset>& assets);

} // namespace store
