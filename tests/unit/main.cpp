#define CATCH_CONFIG_RUNNER
#include <tm/core/log.hpp>

#include <catch2/catch.hpp>

int main(int argc, char** argv) {
    // Info lines of the code under test ("skipping …") would bury Catch's report.
    core::log::configure("tm_unit_tests", core::log::Level::warn, core::log::Format::text);
    return Catch::Session().run(argc, argv);
}
