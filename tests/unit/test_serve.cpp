#include <tm/core/error.hpp>
#include <tm/serve/dashboard.hpp>
#include <tm/serve/html.hpp>
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

TEST_CASE("serve: dashboard pages sit beside the API, outside its description") {
    const auto api = serve::route_paths();
    const auto pages = serve::page_paths();
    CHECK(std::find(pages.begin(), pages.end(), "/") != pages.end());
    CHECK(std::find(pages.begin(), pages.end(), "/chart") != pages.end());
    CHECK(std::find(pages.begin(), pages.end(), "/entity/{entity}") != pages.end());
    for (const auto& p : pages) {
        INFO(p);
        CHECK(std::find(api.begin(), api.end(), p) == api.end());
    }
}

TEST_CASE("serve::html::escape leaves no markup") {
    CHECK(serve::html::escape("<script>alert('x')</script> & \"q\"")
          == "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;");
    CHECK(serve::html::escape("Café · 1.5") == "Café · 1.5");
    // JSON inside <script type="application/json"> cannot end the element or open a comment.
    const auto json = serve::html::script_json(R"({"name":"</script><!--&"})");
    CHECK(json.find('<') == std::string::npos);
    CHECK(json.find('>') == std::string::npos);
    CHECK(json.find('&') == std::string::npos);
    CHECK(json == R"({"name":"\u003c/script\u003e\u003c!--\u0026"})");
}

TEST_CASE("serve::html::link percent-encodes every key and value") {
    CHECK(
        serve::html::link("/chart", {{"source", "defillama"}, {"asset", "a&b c\"<"}, {"kind", ""}})
        == "/chart?source=defillama&asset=a%26b%20c%22%3C");
    CHECK(serve::html::link("/entity/x y", {}) == "/entity/x%20y");
}

TEST_CASE("serve::html numbers for people") {
    CHECK(serve::html::value(1'234'567'890, "usd") == "$1.235B");
    CHECK(serve::html::value(-2500, "usd") == "−$2.5k");
    CHECK(serve::html::value(4.256, "percent") == "4.256\u202f%");
    CHECK(serve::html::value(0.652, "ratio") == "65.2\u202f%");
    CHECK(serve::html::value(12345, "") == "12.35k");
    CHECK(serve::html::change(0.045) == "<span class=\"up\">+4.5\u202f%</span>");
    CHECK(serve::html::change(-0.1234) == "<span class=\"down\">−12.3\u202f%</span>");
    CHECK(serve::html::change(2.5) == "<span class=\"up\">+250\u202f%</span>");
    CHECK(serve::html::change(0.00001) == "<span class=\"flat\">0\u202f%</span>");
    CHECK(serve::html::change(std::nullopt) == "<span class=\"flat\">—</span>");
    CHECK(serve::html::when("2024-03-13T05:00:00Z") == "2024-03-13 05:00");
    CHECK(serve::html::when("<b>") == "&lt;b&gt;");
}

TEST_CASE("serve::html::sparkline scales to its box and shows the trend") {
    CHECK(serve::html::sparkline({{0, 1}}).empty());
    const auto up = serve::html::sparkline({{0, 1}, {10, 2}, {20, 3}});
    CHECK(up.find("class=\"spark up\"") != std::string::npos);
    // x from 0 to the width, y from the bottom (less the padding) to the top.
    CHECK(up.find("points=\"0.0,22.0 45.0,12.0 90.0,2.0\"") != std::string::npos);
    const auto flat = serve::html::sparkline({{0, 5}, {1, 5}});
    CHECK(flat.find("class=\"spark flat\"") != std::string::npos);
    CHECK(flat.find("0.0,12.0 90.0,12.0") != std::string::npos);
    CHECK(serve::html::sparkline({{0, 3}, {1, 1}}).find("spark down") != std::string::npos);
}

TEST_CASE("serve::parse_window reads the presets and an explicit window") {
    CHECK(serve::parse_window(std::nullopt, std::nullopt, std::nullopt).range == "30d");
    CHECK(serve::parse_window(std::string("1y"), std::nullopt, std::nullopt).range == "1y");
    const auto w = serve::parse_window(
        std::nullopt, std::string("2024-03-01T00:00:00Z"), std::string("2024-03-02"));
    REQUIRE(w.from);
    REQUIRE(w.to);
    CHECK(*w.to - *w.from == std::chrono::hours(24));
    CHECK_THROWS_AS(serve::parse_window(std::string("2d"), std::nullopt, std::nullopt),
                    core::UsageError);
    CHECK_THROWS_AS(serve::parse_window(std::nullopt, std::string("yesterday"), std::nullopt),
                    core::UsageError);
    CHECK_THROWS_AS(serve::parse_window(std::nullopt, std::nullopt, std::string("2024-03-02")),
                    core::UsageError);
    CHECK_THROWS_AS(
        serve::parse_window(std::nullopt, std::string("2024-03-02"), std::string("2024-03-01")),
        core::UsageError);
}
