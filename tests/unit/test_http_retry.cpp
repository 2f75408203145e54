#include <tm/http/response.hpp>
#include <tm/http/retry.hpp>

#include <catch2/catch.hpp>

using namespace std::chrono_literals;

namespace {

http::Response with_status(long status, std::string body = "x") {
    http::Response r;
    r.status = status;
    r.body = std::move(body);
    return r;
}

} // namespace

TEST_CASE("http::RetryPolicy retries what may pass and nothing else") {
    const http::RetryPolicy policy;
    for (long status : {408L, 425L, 429L, 500L, 502L, 503L, 504L}) {
        INFO(status);
        CHECK(policy.should_retry(with_status(status)));
    }
    for (long status : {200L, 201L, 204L, 400L, 401L, 402L, 403L, 404L, 410L, 418L, 451L}) {
        INFO(status);
        CHECK_FALSE(policy.should_retry(with_status(status)));
    }
    SECTION("an empty 200 body is retried") {
        CHECK(policy.should_retry(with_status(200, "")));
    }
    SECTION("an error inside a 2xx body follows what its source said of it") {
        http::Response r = with_status(200, R"({"error":["EAPI:Rate limit exceeded"]})");
        r.api_error = "Kraken says EAPI:Rate limit exceeded";
        r.api_error_retryable = true;
        CHECK_FALSE(r.ok());
        CHECK(policy.should_retry(r));
        CHECK(r.describe() == "Kraken says EAPI:Rate limit exceeded");
        r.api_error_retryable = false;
        CHECK_FALSE(policy.should_retry(r));
    }
    SECTION("transport failures follow their retryable flag") {
        http::Response r;
        r.transport_error = "Connection refused";
        r.transport_retryable = true;
        CHECK(policy.should_retry(r));
        r.transport_error = "response body larger than the limit";
        r.transport_retryable = false;
        CHECK_FALSE(policy.should_retry(r));
    }
}

TEST_CASE("http::RetryPolicy backoff is full jitter under an exponential cap") {
    http::RetryPolicy policy;
    policy.base_delay = 100ms;
    policy.max_delay = 1000ms;
    std::mt19937_64 rng(42);
    for (int attempt = 1; attempt <= 8; ++attempt) {
        const auto cap = std::min(1000LL, 100LL << (attempt - 1));
        long long largest = 0;
        for (int i = 0; i < 200; ++i) {
            const auto d = policy.backoff(attempt, rng).count();
            REQUIRE(d >= 0);
            REQUIRE(d <= cap);
            largest = std::max<long long>(largest, d);
        }
        // Full jitter spreads over the whole range, not just near zero.
        CHECK(largest > cap / 2);
    }
}

TEST_CASE("http::parse_retry_after reads seconds and HTTP dates") {
    const auto now =
        std::chrono::system_clock::from_time_t(1445412480); // Wed, 21 Oct 2015 07:28:00 GMT
    CHECK(http::parse_retry_after("1", now) == 1000ms);
    CHECK(http::parse_retry_after(" 120 ", now) == 120000ms);
    CHECK(http::parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now) == 30000ms);

    SECTION("0, negative, past dates and garbage fall back to the normal backoff") {
        CHECK_FALSE(http::parse_retry_after("0", now));
        CHECK_FALSE(http::parse_retry_after("-5", now));
        CHECK_FALSE(http::parse_retry_after("", now));
        CHECK_FALSE(http::parse_retry_after("soon", now));
        CHECK_FALSE(http::parse_retry_after("1.5", now));
        CHECK_FALSE(http::parse_retry_after("Wed, 21 Oct 2015 07:27:00 GMT", now));
        CHECK_FALSE(http::parse_retry_after("Wed, 99 Foo 2015 GMT garbage", now));
    }
}

TEST_CASE("http::Response::describe summarises error bodies") {
    CHECK(with_status(400, "Protocol not found").describe() == "HTTP 400 (Protocol not found)");
    CHECK(with_status(502, "<html><body>Bad gateway</body></html>").describe()
          == "HTTP 502 (an HTML error page)");
    CHECK(with_status(200, "").describe() == "HTTP 200 with an empty body");
}
