#include "temp_db.hpp"

#include <tm/store/asset_writer.hpp>

#include <catch2/catch.hpp>

TEST_CASE("assets upsert rewrites only what changed") {
    TempDb tmp;
    auto conn = tmp.connect();
    std::vector<store::Asset> assets = {
        {"defillama",
         store::AssetKind::protocol,
         "aave",
         "Aave",
         "AAVE",
         "Multi-Chain",
         "aave",
         R"({"id":"1"})"},
        {"defillama", store::AssetKind::chain, "aave", "Aave chain", "", "", "", ""},
    };
    CHECK(store::write_assets(conn, assets) == 2);
    CHECK(store::write_assets(conn, assets) == 0);
    assets[0].symbol = "AAVE2";
    CHECK(store::write_assets(conn, assets) == 1);
    CHECK(conn.exec("SELECT extra->>'id', symbol FROM assets WHERE kind = 'protocol'").get(0, 1)
          == "AAVE2");
    CHECK(conn.exec("SELECT symbol IS NULL FROM assets WHERE kind = 'chain'").get(0, 0) == "t");
}
