#include <tm/core/error.hpp>
#include <tm/serve/server.hpp>

#include <catch2/catch.hpp>
#include <simdjson.h>

#include <algorithm>
#include <string>
#include <vector>

TEST_CASE("serve::parse_listen reads HOST:PORT and [IPV6]:PORT") {
    const auto a = serve::parse_listen("127.0.0.1:8080");
    CHECK(a.host == "127.0.0.1");
    CHECK(a.port == 8080);
    const auto b = serve::parse_listen("[::1]:9000");
    CHECK(b.host == "::1");
    CHECK(b.port == 9000);
    CHECK(serve::parse_listen("[::]:80").host == "::");
    CHECK(serve::parse_listen("[fe80::1%lo]:80").host == "fe80::1%lo");
    CHECK(serve::parse_listen("localhost:65535").port == 65535);
}

TEST_CASE("serve::parse_listen refuses every other form with one line") {
    for (const char* bad : {"nowhere",
                            ":8080",
                            "::1:8080",
                            "[::1]",
                            "[::1]8080",
                            "[::1]:",
                            "[::1",
                            "[]:80",
                            "[127.0.0.1]:80",
                            "[nothost]:80",
                            "127.0.0.1:0",
                            "127.0.0.1:65536",
                            "127.0.0.1:http",
                            "127.0.0.1:-1",
                            ""}) {
        INFO(bad);
        try {
            serve::parse_listen(bad);
            FAIL("accepted");
        } catch (const core::UsageError& e) {
            const std::string message = e.what();
            CHECK(message.starts_with("--listen "));
            CHECK(message.find("[::1]:8080") != std::string::npos);
            CHECK(message.find('\n') == std::string::npos);
        }
    }
}

TEST_CASE("serve: the OpenAPI description lists exactly the routes, each with GET only") {
    simdjson::dom::parser parser;
    const simdjson::padded_string text(serve::openapi_json());
    simdjson::dom::element spec;
    REQUIRE(parser.parse(text).get(spec) == simdjson::SUCCESS);
    std::string_view version;
    REQUIRE(spec["openapi"].get(version) == simdjson::SUCCESS);
    CHECK(version.starts_with("3.1"));
    simdjson::dom::object paths;
    REQUIRE(spec["paths"].get(paths) == simdjson::SUCCESS);
    std::vector<std::string> described;
    for (const auto field : paths) {
        described.emplace_back(field.key);
        simdjson::dom::object operations;
        REQUIRE(field.value.get(operations) == simdjson::SUCCESS);
        std::vector<std::string> methods;
        for (const auto op : operations) {
            methods.emplace_back(op.key);
        }
        INFO(field.key);
        CHECK(methods == std::vector<std::string>{"get"});
    }
    auto routes = serve::route_paths();
    std::sort(described.begin(), described.end());
    std::sort(routes.begin(), routes.end());
    CHECK(described == routes);
}
