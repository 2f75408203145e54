#pragma once

#include <tm/store/asset_kind.hpp>

#include <string>

namespace store {

// A row of the assets table: what a source calls one of its things.
struct Asset {
    std::string source;
    AssetKind kind = AssetKind::protocol;
    std::string asset;
    std::string name;
    std::string symbol;
    std::string chain;
    std::string gecko_id;
    std::string extra_json; // a JSON object, or empty
};

} // namespace store
