#include <tm/json/writer.hpp>

#include <catch2/catch.hpp>

#include <cmath>

TEST_CASE("json::ObjectWriter escapes every control character and leaves out NaN") {
    const std::string extra = json::ObjectWriter{}
                                  .field("name", std::optional<std::string>("\x1b]0;x\x07\xc2\x9b"))
                                  .field("nan", std::optional<double>(std::nan("")))
                                  .field("inf", std::optional<double>(HUGE_VAL))
                                  .field("n", std::optional<double>(1.5))
                                  .str();
    CHECK(extra == R"({"name":"\u001b]0;x\u0007\u009b","n":1.5})");
}
