#define CATCH_CONFIG_RUNNER
#include <tm/core/log.hpp>

#include <catch2/catch.hpp>

int main(int argc, char** argv) {
    // Keep the report readable: "applied schema/…" once per temporary database is noise here.
    core::log::configure("tm_db_tests", core::log::Level::warn, core::log::Format::text);
    return Catch::Session().run(argc, argv);
}
