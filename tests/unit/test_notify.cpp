#include <tm/notify/channel.hpp>
#include <tm/notify/hmac_sha256.hpp>

#include <catch2/catch.hpp>
#include <fmt/format.h>

namespace {

std::string hex(const std::array<uint8_t, 32>& digest) {
    std::string out;
    for (const uint8_t b : digest) {
        out += fmt::format("{:02x}", b);
    }
    return out;
}

rules::AlertEvent tvl_drop() {
    rules::AlertEvent e;
    e.alert_id = 7;
    e.event = "opened";
    e.rule = "tvl_drop";
    e.severity = "critical";
    e.source = "defillama";
    e.asset = "aave";
    e.metric = "TVL";
    e.value = 75;
    e.baseline = 100;
    e.message = "TVL down 25.0% vs 1d earlier";
    e.at = "2024-03-13T10:00:00Z";
    return e;
}

} // namespace

TEST_CASE("sha256: FIPS 180-2 vectors, across the one- and two-block padding edges") {
    CHECK(hex(notify::sha256(""))
          == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(hex(notify::sha256("abc"))
          == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(hex(notify::sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))
          == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    CHECK(hex(notify::sha256(std::string(1'000'000, 'a')))
          == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    // 55 and 56 bytes: the last length that fits one padding block, the first that needs two.
    CHECK(hex(notify::sha256(std::string(55, 'a')))
          == "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
    CHECK(hex(notify::sha256(std::string(56, 'a')))
          == "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
}

TEST_CASE("hmac-sha256: RFC 4231 test cases 1, 2 and 6 (key longer than a block)") {
    CHECK(notify::hmac_sha256_hex(std::string(20, '\x0b'), "Hi There")
          == "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    CHECK(notify::hmac_sha256_hex("Jefe", "what do ya want for nothing?")
          == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    CHECK(notify::hmac_sha256_hex(std::string(131, '\xaa'),
                                  "Test Using Larger Than Block-Size Key - Hash Key First")
          == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST_CASE("alert events as text and JSON") {
    const auto e = tvl_drop();
    CHECK(notify::describe(e)
          == "opened critical tvl_drop defillama/aave/TVL: TVL down 25.0% vs 1d earlier (value 75, "
             "baseline 100, change -25.0%) at 2024-03-13T10:00:00Z");
    CHECK(notify::to_json(e)
          == "{\"event\":\"opened\",\"alert_id\":7,\"rule\":\"tvl_drop\",\"severity\":\"critical\","
             "\"source\":\"defillama\",\"asset\":\"aave\",\"metric\":\"TVL\",\"subject\":null,"
             "\"target\":\"defillama/aave/TVL\",\"value\":75,\"baseline\":100,\"change\":-0.25,"
             "\"message\":\"TVL down 25.0% vs 1d earlier\",\"at\":\"2024-03-13T10:00:00Z\"}");
    rules::AlertEvent stale;
    stale.event = "resolved";
    stale.rule = "stale_feed";
    stale.severity = "critical";
    stale.subject = "hyperliquid";
    stale.message = "a \"quoted\"\nmessage";
    stale.at = "2024-03-13T10:00:00Z";
    CHECK(stale.target() == "hyperliquid");
    CHECK_FALSE(stale.change());
    CHECK(notify::to_json(stale).find("\"message\":\"a \\\"quoted\\\"\\nmessage\"")
          != std::string::npos);
    CHECK(notify::to_json(stale).find("\"value\":null,\"baseline\":null,\"change\":null")
          != std::string::npos);
}

TEST_CASE("slack digest: critical first, counts per severity, what is left out counted") {
    // 225 events as a backfill's first detect can produce them: info first in the order they
    // were judged, the critical ones last.
    std::vector<rules::AlertEvent> events;
    const auto add = [&](int n, const char* event, const char* severity) {
        for (int i = 0; i < n; ++i) {
            auto e = tvl_drop();
            e.alert_id = static_cast<int64_t>(events.size()) + 1;
            e.event = event;
            e.severity = severity;
            e.asset = fmt::format("{}-{}-{}", event, severity, i);
            events.push_back(e);
        }
    };
    add(40, "opened", "info");
    add(150, "opened", "warning");
    add(3, "resolved", "critical");
    add(32, "opened", "critical");
    notify::Events pointers;
    for (const auto& e : events) {
        pointers.push_back(&e);
    }
    const std::string text = notify::slack_digest(pointers);
    CHECK(text.starts_with(
        "*tm detect: 225 alert events* (32 critical, 150 warning, 40 info opened; 3 resolved)"));
    // Every critical opening is listed, before any warning; the 40 lines are 32 critical and 8
    // warning, and the rest is counted.
    for (int i = 0; i < 32; ++i) {
        CHECK(text.find(fmt::format("defillama/opened-critical-{}/TVL", i)) != std::string::npos);
    }
    CHECK(text.find("opened-critical-31") < text.find("opened-warning-0/"));
    CHECK(text.find("opened-warning-7/") != std::string::npos);
    CHECK(text.find("opened-warning-8/") == std::string::npos);
    CHECK(text.find("opened-info-") == std::string::npos);
    CHECK(text.ends_with(
        "… and 185 more: 142 warning, 40 info opened; 3 resolved (tm query alerts)"));
    // A handful of info events keeps its order and counts.
    const notify::Events few(pointers.begin(), pointers.begin() + 6);
    CHECK(notify::slack_digest(few).starts_with("*tm detect: 6 alert events* (6 info opened)"));
}
