#include <tm/store/batch.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

namespace {

core::Time t(int64_t seconds) {
    return core::from_unix_seconds(seconds);
}

} // namespace

TEST_CASE("store::Batch interns series keys") {
    store::Batch b;
    const auto a = b.series("defillama", store::AssetKind::protocol, "aave", "TVL", "usd");
    const auto c = b.series("defillama", store::AssetKind::protocol, "aave", "CHAIN_TVL", "usd");
    CHECK(a != c);
    CHECK(b.series("defillama", store::AssetKind::protocol, "aave", "TVL") == a);
    CHECK(b.keys().size() == 2);
}

TEST_CASE("store::Batch drops non-finite values") {
    store::Batch b;
    const auto s = b.series("x", store::AssetKind::protocol, "y", "Z");
    b.add(s, t(1), 1.0);
    b.add(s, t(2), std::numeric_limits<double>::quiet_NaN());
    b.add(s, t(3), std::numeric_limits<double>::infinity());
    CHECK(b.size() == 1);
}

TEST_CASE("store::deduplicated_order sorts by (id, ts) and keeps the last duplicate") {
    store::Batch b;
    const auto s1 = b.series("x", store::AssetKind::protocol, "a", "M");
    const auto s2 = b.series("x", store::AssetKind::protocol, "b", "M");
    b.add(s2, t(20), 1.0);
    b.add(s1, t(10), 2.0);
    b.add(s1, t(10), 3.0); // same point again: this later value wins
    b.add(s1, t(5), 4.0);
    b.add(s2, t(20), 5.0); // and this one
    // s2 has the smaller database id.
    const std::vector<int32_t> ids = {7, 3};
    const auto order = store::deduplicated_order(b, ids);
    REQUIRE(order.size() == 3);
    CHECK(b.refs()[order[0]] == s2);
    CHECK(b.values()[order[0]] == 5.0);
    CHECK(b.times()[order[1]] == t(5));
    CHECK(b.values()[order[2]] == 3.0);
}

TEST_CASE("store::Batch::append re-interns the other batch's keys") {
    store::Batch a;
    a.add(a.series("s", store::AssetKind::protocol, "x", "M"), t(1), 1.0);
    store::Batch b;
    b.add(b.series("s", store::AssetKind::protocol, "y", "M"), t(1), 2.0);
    b.add(b.series("s", store::AssetKind::protocol, "x", "M"), t(2), 3.0);
    a.append(b);
    CHECK(a.size() == 3);
    CHECK(a.keys().size() == 2);
    CHECK(a.refs()[2] == a.series("s", store::AssetKind::protocol, "x", "M"));
}
