#include <tm/core/strings.hpp>

#include <catch2/catch.hpp>

TEST_CASE("core::strings::closest suggests plausible typos only") {
    const std::vector<std::string> commands = {
        "setup", "pull", "backfill", "detect", "query", "status"};
    CHECK(core::strings::closest("pul", commands) == "pull");
    CHECK(core::strings::closest("stup", commands) == "setup");
    CHECK(core::strings::closest("qeury", commands) == "query");
    CHECK_FALSE(core::strings::closest("zzzzzzzzz", commands));
    CHECK(core::strings::levenshtein("kitten", "sitting") == 3);
}

TEST_CASE("core::strings parsing is strict") {
    CHECK(core::strings::parse_double("12.5") == 12.5);
    CHECK_FALSE(core::strings::parse_double("12.5x"));
    CHECK_FALSE(core::strings::parse_double("nan"));
    CHECK(core::strings::parse_int("42") == 42);
    CHECK_FALSE(core::strings::parse_int("4 2"));
    CHECK(core::strings::split_list(" a, b,,c ") == std::vector<std::string>{"a", "b", "c"});
    CHECK(core::strings::json_escape("a\"b\\c\nd") == "a\\\"b\\\\c\\nd");
}
