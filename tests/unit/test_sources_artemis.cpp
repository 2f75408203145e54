#include <tm/core/error.hpp>
#include <tm/core/files.hpp>
#include <tm/sources/artemis/artemis.hpp>
#include <tm/sources/artemis/matrix.hpp>
#include <tm/sources/artemis/parse.hpp>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <unistd.h>

namespace ar = sources::artemis;

namespace {

std::string write_config(const std::string& text) {
    const std::string path = fmt::format("/tmp/tm-unit-artemis-{}.csv", ::getpid());
    core::files::write_atomically(path, text);
    return path;
}

} // namespace

TEST_CASE("artemis::parse_metrics reads the documented envelope (the real docs example)") {
    std::string body =
        core::files::read(std::string(TM_FIXTURE_DIR)
                          + "/artemis/data_api_equity-valuation_eq-nvda_docs-example.json");
    store::Batch b;
    std::vector<ar::Skipped> skipped;
    ar::parse_metrics(body, b, skipped);
    CHECK(b.size() == 8);
    CHECK(b.keys().size() == 4);
    CHECK(b.keys()[0].asset == "eq-nvda");
    CHECK(b.keys()[3].metric == "EARNINGS_YIELD");
    CHECK(core::format_iso8601(b.times()[0]) == "2024-09-30T00:00:00Z");
    CHECK(b.values()[0] == 26.38);
    CHECK(skipped.empty());
}

TEST_CASE("artemis::parse_metrics quirks: strings instead of series, values and symbols") {
    std::string body = R"({"data":{"symbols":{"SOL":{"price":[{"date":"2024-03-12","val":1.5},
        {"date":"2024-03-13","val":null},{"date":"2024-03-14","val":"N/A"},{"date":"2024-03-15","val":"2.5"}],
        "DAU":"Metric not available for asset."}}}})";
    store::Batch b;
    std::vector<ar::Skipped> skipped;
    ar::parse_metrics(body, b, skipped);
    REQUIRE(b.size() == 2);
    CHECK(b.keys()[0].asset == "sol");
    CHECK(b.keys()[0].metric == "PRICE");
    CHECK(b.values()[1] == 2.5);
    REQUIRE(skipped.size() == 1);
    CHECK(skipped[0].metric == "DAU");
    CHECK(skipped[0].message == "Metric not available for asset.");

    std::string none = R"({"data":{"symbols":"No data available for the requested range."}})";
    skipped.clear();
    ar::parse_metrics(none, b, skipped);
    REQUIRE(skipped.size() == 1);
    CHECK(skipped[0].asset.empty());

    std::string wrong = R"({"data":{"symbols":{"sol":{"PRICE":{"date":"2024-03-12"}}}}})";
    CHECK_THROWS_WITH(ar::parse_metrics(wrong, b, skipped),
                      "$.data.symbols.sol.PRICE: expected a list of values, found an object");
    std::string no_data = R"({"detail":"x"})";
    CHECK_THROWS_WITH(ar::parse_metrics(no_data, b, skipped), "$.data: missing");
    std::string bad_date =
        R"({"data":{"symbols":{"sol":{"PRICE":[{"date":"12/03/2024","val":1}]}}}})";
    CHECK_THROWS_WITH(ar::parse_metrics(bad_date, b, skipped),
                      "$.data.symbols.sol.PRICE[0].date: expected a YYYY-MM-DD date");
}

TEST_CASE("artemis: the symbols an answer holds, and the symbol list in both shapes") {
    std::string body =
        R"({"data":{"symbols":{"SOL":{"PRICE":[]},"eth":{"PRICE":"Metric not available for asset."}}}})";
    store::Batch b;
    std::vector<ar::Skipped> skipped;
    std::vector<std::string> answered;
    ar::parse_metrics(body, b, skipped, ar::default_kind, &answered);
    CHECK(answered == std::vector<std::string>{"sol", "eth"}); // "solana" asked: left out
    std::string list =
        R"([{"artemis_id":"solana","symbol":"SOL","title":"Solana"},{"symbol":"eth"}])";
    CHECK(ar::parse_symbol_list(list) == std::vector<std::string>{"sol", "eth"});
    std::string wrapped = R"({"assets":[{"artemis_id":"bitcoin","symbol":"BTC"}]})";
    CHECK(ar::parse_symbol_list(wrapped) == std::vector<std::string>{"btc"});
}

TEST_CASE("artemis::Matrix: 1/0 cells, groups, exclusions, narrowing") {
    sources::Selection s;
    s.config_file = write_config("# "
                                 "c\nasset,name,PRICE,fees,VOLATILITY_90D_ANN\nSOL,Solana,1,1,"
                                 "1\neth,,1,1,0\neq-nvda,,1,0,0\n");
    const ar::Matrix m(s);
    CHECK(m.wanted().at("sol")
          == std::set<std::string>{"FEES", "PRICE"}); // excluded metric dropped
    const auto groups = m.groups();
    REQUIRE(groups.size() == 2);
    CHECK(groups.at({"FEES", "PRICE"}) == std::vector<std::string>{"eth", "sol"});
    CHECK(m.assets()[0].kind == store::AssetKind::equity);
    CHECK(m.assets()[2].name == "Solana");

    s.metrics = {"VOLATILITY_90D_ANN"};
    CHECK(ar::Matrix(s).wanted().at("sol") == std::set<std::string>{"VOLATILITY_90D_ANN"});
    s.metrics = {};
    s.assets = {"eth"};
    CHECK(ar::Matrix(s).wanted().size() == 1);

    sources::Selection none;
    CHECK_THROWS_AS(ar::Matrix(none), core::UsageError);
    sources::Selection bad;
    bad.config_file = write_config("asset,PRICE\nsol,2\n");
    CHECK_THROWS_WITH(ar::Matrix(bad),
                      Catch::EndsWith(":2: cell PRICE for sol must be 1 or 0, found '2'"));
}

TEST_CASE("artemis::split halves symbols first, then metrics, down to one pair") {
    ar::Request r{{"a", "b", "c"}, {"M", "N"}};
    ar::Request x, y;
    REQUIRE(ar::split(r, x, y));
    CHECK(x.symbols == std::vector<std::string>{"a"});
    CHECK(y.symbols == std::vector<std::string>{"b", "c"});
    REQUIRE(ar::split(x, r, y));
    CHECK(r.metrics == std::vector<std::string>{"M"});
    CHECK_FALSE(ar::split(r, x, y));
}

TEST_CASE("the shipped config/artemis.csv parses") {
    sources::Selection s;
    s.config_file = std::string(TM_SOURCE_DIR) + "/config/artemis.csv";
    const ar::Matrix m(s);
    CHECK(m.wanted().size() >= 25);
    CHECK(m.wanted().at("btc").contains("PRICE"));
    CHECK_FALSE(m.wanted().at("btc").contains("VOLATILITY_90D_ANN"));
}
