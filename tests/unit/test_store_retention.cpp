#include <tm/core/error.hpp>
#include <tm/store/retention.hpp>

#include <catch2/catch.hpp>

namespace {

// The message parse_retention throws for `text`, or "" when it parses.
std::string error_of(const std::string& text) {
    try {
        store::parse_retention(text, "r.toml");
    } catch (const core::UsageError& e) {
        return e.what();
    }
    return "";
}

} // namespace

TEST_CASE("the shipped retention policy parses: 90 days for the minute feeds, forever else") {
    const auto policy = store::load_retention(std::nullopt);
    CHECK_FALSE(policy.default_raw_days.has_value());
    REQUIRE(policy.entries.size() == 1);
    CHECK(policy.entries[0].raw_days == 90);
    CHECK(policy.entries[0].sources
          == std::vector<std::string>{"coingecko", "binance", "kraken", "coinbase"});
    CHECK(policy.entries[0].metrics.empty());
}

TEST_CASE("retention entries: names, lists, days and forever") {
    const auto p = store::parse_retention("default_raw_days = 400\n"
                                          "[[retention]]\nsource = \"artemis\"\nmetric = "
                                          "[\"PRICE\", \"FEES\"]\nraw_days = \"forever\"\n",
                                          "r.toml");
    CHECK(p.default_raw_days == 400);
    REQUIRE(p.entries.size() == 1);
    CHECK(p.entries[0].line == 2);
    CHECK(p.entries[0].metrics == std::vector<std::string>{"PRICE", "FEES"});
    CHECK_FALSE(p.entries[0].raw_days.has_value());
}

TEST_CASE("bad retention files are refused with file and line") {
    CHECK(error_of("[[retention]]\nsource = \"a\"\nraw_dys = 3\n")
          == "r.toml:3: unknown key 'raw_dys' (did you mean 'raw_days'?)");
    CHECK(error_of("[[retention]]\nsource = \"a\"\nraw_days = 0\n")
          == "r.toml:3: 'raw_days' must be a whole number of days (1 or more) or \"forever\"");
    CHECK(error_of("[[retention]]\nsource = \"a\"\nraw_days = 1.5\n")
          == "r.toml:3: 'raw_days' must be a whole number of days (1 or more) or \"forever\"");
    CHECK(error_of("[[retention]]\nsource = \"a\"\n")
          == "r.toml:1: missing 'raw_days' (a number of days, or \"forever\")");
    CHECK(error_of("[[retention]]\nraw_days = 3\n").starts_with("r.toml:1: an entry names a "));
    CHECK(error_of("[[retention]]\nsource = [\"a\", \"*\"]\nraw_days = 3\n")
              .starts_with("r.toml:2: 'source' has an empty or '*' entry"));
    CHECK(error_of("[[retention]]\nsource = \"a\"\nraw_days = 3\n"
                   "[[retention]]\nsource = [\"b\", \"a\"]\nraw_days = 4\n")
          == "r.toml:4: source a and metric (any) already have an entry (line 1); one choice each");
    CHECK(error_of("default_raw_days = -1\n").starts_with("r.toml:1: 'default_raw_days' must be"));
    CHECK(error_of("[retention]\nsource = \"a\"\n")
          == "r.toml:1: 'retention' entries are [[retention]] tables");
}
