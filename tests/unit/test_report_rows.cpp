#include <tm/report/rows.hpp>

#include <catch2/catch.hpp>

using report::Type;

TEST_CASE("report::round_for_people: 4 significant digits, k/M/B/T from a thousand") {
    using report::round_for_people;
    CHECK(round_for_people(0) == "0");
    CHECK(round_for_people(1) == "1");
    CHECK(round_for_people(1.5) == "1.5");
    CHECK(round_for_people(123.456) == "123.5");
    CHECK(round_for_people(999.94) == "999.9");
    CHECK(round_for_people(999.96) == "1k"); // rounds up into the next unit
    CHECK(round_for_people(0.012345) == "0.01235");
    CHECK(round_for_people(0.0000125) == "1.25e-05");
    CHECK(round_for_people(52360) == "52.36k");
    CHECK(round_for_people(-1500) == "-1.5k");
    CHECK(round_for_people(16890071630.01999) == "16.89B");
    CHECK(round_for_people(999950000) == "1B");
    CHECK(round_for_people(2.5e12) == "2.5T");
    CHECK(round_for_people(1.23456e18) == "1.235e+18");
}

TEST_CASE("report::table_cell shows each type for people and leaves odd text alone") {
    CHECK(report::table_cell("16890071630.01999", Type::number) == "16.89B");
    CHECK(report::table_cell("NaN", Type::number) == "NaN");
    CHECK(report::table_cell("-Infinity", Type::number) == "-Infinity");
    CHECK(report::table_cell("1234567", Type::count) == "1,234,567");
    CHECK(report::table_cell("1234567", Type::id) == "1234567");
    CHECK(report::table_cell("11520", Type::age) == "3h12m");
    CHECK(report::table_cell("45", Type::age) == "45s");
    CHECK(report::table_cell("190000", Type::age) == "2d4h");
    CHECK(report::table_cell("2024-03-12T00:00:00Z", Type::time) == "2024-03-12T00:00:00Z");
    CHECK(report::table_cell("1.5", Type::text) == "1.5");
}

TEST_CASE("report::aligned escapes control characters and aligns by display width") {
    const std::string table = report::aligned(
        {{"name", "value"}, {"\x1b]0;pwned\x07", "1"}, {"以太坊", "22"}, {"\xc2\x9b", "3"}},
        {false, true});
    CHECK(table
          == "name              value\n"
             "\\x1b]0;pwned\\x07      1\n"
             "以太坊               22\n"
             "\\u009b                3\n");
}
