// Names, ids and symbols from APIs reach terminals, logs and files. Every source's parser
// keeps them byte for byte (so CSV and JSON carry the exact data), and what is shown to people
// escapes their control characters (tests/e2e/test_hostile_names.sh follows them through the
// database to every output format).
#include "batch_helpers.hpp"

#include <tm/core/files.hpp>
#include <tm/core/strings.hpp>
#include <tm/report/rows.hpp>
#include <tm/sources/artemis/parse.hpp>
#include <tm/sources/binance/binance.hpp>
#include <tm/sources/coingecko/parse.hpp>
#include <tm/sources/defillama/parse.hpp>
#include <tm/sources/hyperliquid/parse.hpp>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <algorithm>

namespace {

const core::Time k_ts = core::from_unix_seconds(1689657600);

// Clears the screen, sets the window title, and an 8-bit CSI (U+009B) — as JSON text and as
// the bytes a parser must produce from it.
constexpr const char* k_json_name = R"(\u001b[2J\u001b]0;pwned\u0007\u009b31m)";
const std::string k_name = "\x1b[2J\x1b]0;pwned\x07\xc2\x9b"
                           "31m";

std::string fixture(const std::string& name) {
    return core::files::read(std::string(TM_FIXTURE_DIR) + "/http/" + name);
}

// No byte a terminal acts on: C0 but the newlines ending table lines, DEL, C1 in UTF-8.
bool terminal_clean(const std::string& text) {
    for (size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if ((c < 0x20 && c != '\n') || c == 0x7f
            || (c == 0xc2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) >= 0x80
                && static_cast<unsigned char>(text[i + 1]) <= 0x9f)) {
            return false;
        }
    }
    return true;
}

bool has_asset(const store::Batch& b, const std::string& asset) {
    return std::any_of(
        b.keys().begin(), b.keys().end(), [&](const auto& k) { return k.asset == asset; });
}

// What people see of `raw` is escaped; what programs get (JSON) decodes to it.
void check_shown_safely(const std::string& raw) {
    const std::string table = report::aligned({{"asset"}, {raw}});
    CHECK(terminal_clean(table));
    CHECK(table.find("\\x1b]0;pwned\\x07") != std::string::npos);
    CHECK(table.find("\\u009b31m") != std::string::npos);
    CHECK(terminal_clean(core::strings::json_escape(raw)));
}

} // namespace

TEST_CASE("hostile names: DefiLlama protocol names and slugs") {
    std::string body = fmt::format(
        R"([{{"name":"{0}","slug":"evil-{0}","symbol":"{0}","tvl":5,"chains":["Ethereum"]}}])",
        k_json_name);
    store::Batch b;
    std::vector<store::Asset> assets;
    sources::defillama::parse_protocols(body, k_ts, b, assets);
    REQUIRE(assets.size() == 1);
    CHECK(assets[0].name == k_name);
    CHECK(assets[0].symbol == k_name);
    CHECK(assets[0].asset == "evil-" + k_name);
    CHECK(has_asset(b, "evil-" + k_name));
    check_shown_safely(assets[0].name);
    check_shown_safely(assets[0].asset);
}

TEST_CASE("hostile names: CoinGecko ids") {
    std::string body = fmt::format(
        R"({{"{}":{{"usd":1.5,"usd_market_cap":2,"last_updated_at":1689657600}}}})", k_json_name);
    store::Batch b;
    std::vector<std::string> answered;
    sources::coingecko::parse_simple_price(body, k_ts, b, answered);
    CHECK(value_of(b, k_name, "PRICE") == 1.5);
    check_shown_safely(b.keys()[0].asset);
}

TEST_CASE("hostile names: exchange pairs") {
    std::string body = replaced(
        fixture("binance/ticker/BTCUSDT.json"), "\"BTCUSDT\"", fmt::format("\"{}\"", k_json_name));
    store::Batch b;
    sources::binance::parse_tickers(body, b);
    CHECK(value_of(b, k_name, "PRICE") == 73346.14);
    check_shown_safely(b.keys()[0].asset);
}

TEST_CASE("hostile names: Hyperliquid coins") {
    std::string body = replaced(fixture("hyperliquid/info@type=metaAndAssetCtxs.json"),
                                "\"name\": \"BTC\"",
                                fmt::format("\"name\": \"{}\"", k_json_name));
    store::Batch b;
    std::vector<store::Asset> assets;
    sources::hyperliquid::parse_asset_contexts(body, k_ts, b, assets);
    CHECK(value_of(b, k_name, "MARK_PRICE") == 77562.0);
    CHECK(
        std::any_of(assets.begin(), assets.end(), [](const auto& a) { return a.asset == k_name; }));
    check_shown_safely(k_name);
}

TEST_CASE("hostile names: Artemis symbols") {
    std::string body = fmt::format(
        R"({{"data":{{"symbols":{{"{}":{{"price":[{{"date":"2024-03-12","val":1.5}}]}}}}}}}})",
        k_json_name);
    store::Batch b;
    std::vector<sources::artemis::Skipped> skipped;
    sources::artemis::parse_metrics(body, b, skipped);
    // Artemis symbols are stored in lower case ("[2J" becomes "[2j"); the rest is kept.
    CHECK(value_of(b, core::strings::to_lower(k_name), "PRICE") == 1.5);
    check_shown_safely(b.keys()[0].asset);
}
