#include <tm/core/secrets.hpp>
#include <tm/http/redact.hpp>

#include <catch2/catch.hpp>

TEST_CASE("core::secrets::redact masks registered secrets wherever they appear") {
    core::secrets::add("s3cr3t-key-123");
    CHECK(core::secrets::redact("https://pro-api.llama.fi/s3cr3t-key-123/api/protocols")
          == "https://pro-api.llama.fi/***/api/protocols");
    CHECK(core::secrets::redact("error: bad key s3cr3t-key-123 and again s3cr3t-key-123")
          == "error: bad key *** and again ***");
}

TEST_CASE("core::secrets::redact masks well-known shapes nobody registered") {
    SECTION("key-like query parameters, any case") {
        CHECK(core::secrets::redact("https://x/data/api/PRICE/?symbols=eth&APIKey=abcdef&x=1")
              == "https://x/data/api/PRICE/?symbols=eth&APIKey=***&x=1");
        CHECK(core::secrets::redact("https://x/?api_key=zzz") == "https://x/?api_key=***");
        CHECK(core::secrets::redact("https://x/?token=t0k3n#frag") == "https://x/?token=***#frag");
    }
    SECTION("passwords in URLs and conninfo strings") {
        CHECK(core::secrets::redact("postgresql://tm:hunter2@db.example/tm")
              == "postgresql://tm:***@db.example/tm");
        CHECK(core::secrets::redact("host=db password=hunter2 dbname=tm")
              == "host=db password=*** dbname=tm");
        CHECK(core::secrets::redact("host=db password='a b' dbname=tm")
              == "host=db password=*** dbname=tm");
    }
    SECTION("ordinary text is left alone") {
        CHECK(core::secrets::redact("GET /protocols: HTTP 500") == "GET /protocols: HTTP 500");
        CHECK(core::secrets::redact("symbols=eth,sol&startDate=2021-01-01")
              == "symbols=eth,sol&startDate=2021-01-01");
    }
}

TEST_CASE("core::secrets::add ignores values too short to mask safely") {
    core::secrets::add("ab");
    CHECK(core::secrets::redact("abc cab") == "abc cab");
}

TEST_CASE("http redaction of headers") {
    CHECK(http::redact_header("x-cg-pro-api-key", "CG-abc") == "x-cg-pro-api-key: ***");
    CHECK(http::redact_header("Authorization", "Bearer x") == "Authorization: ***");
    CHECK(http::redact_header("Accept", "application/json") == "Accept: application/json");
    CHECK(http::path_of("https://api.llama.fi/v2/chains?x=1") == "/v2/chains?x=1");
}
