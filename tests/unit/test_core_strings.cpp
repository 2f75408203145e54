#include <tm/core/strings.hpp>

#include <catch2/catch.hpp>

TEST_CASE("core::strings::closest suggests plausible typos only") {
    const std::vector<std::string> commands = {
        "setup", "pull", "backfill", "detect", "query", "status"};
    CHECK(core::strings::closest("pul", commands) == "pull");
    CHECK(core::strings::closest("stup", commands) == "setup");
    CHECK(core::strings::closest("qeury", commands) == "query");
    CHECK_FALSE(core::strings::closest("zzzzzzzzz", commands));
    CHECK(core::strings::levenshtein("kitten", "sitting") == 3);
}

TEST_CASE("core::strings parsing is strict") {
    CHECK(core::strings::parse_double("12.5") == 12.5);
    CHECK_FALSE(core::strings::parse_double("12.5x"));
    CHECK_FALSE(core::strings::parse_double("nan"));
    CHECK(core::strings::parse_int("42") == 42);
    CHECK_FALSE(core::strings::parse_int("4 2"));
    CHECK(core::strings::split_list(" a, b,,c ") == std::vector<std::string>{"a", "b", "c"});
    CHECK(core::strings::json_escape("a\"b\\c\nd") == "a\\\"b\\\\c\\nd");
}

TEST_CASE("core::strings::terminal_safe escapes every control character and keeps text") {
    using core::strings::terminal_safe;
    // C0, ESC sequences (CSI clear screen, OSC set title), DEL.
    CHECK(terminal_safe("a\x1b[2Jb") == "a\\x1b[2Jb");
    CHECK(terminal_safe("\x1b]0;pwned\x07") == "\\x1b]0;pwned\\x07");
    CHECK(terminal_safe(std::string("nul\0x", 5)) == "nul\\x00x");
    CHECK(terminal_safe("tab\tnew\nline\r") == "tab\\x09new\\x0aline\\x0d");
    CHECK(terminal_safe("del\x7f") == "del\\x7f");
    // C1 controls in UTF-8 (U+009B is an 8-bit CSI), bidi overrides, line separators.
    CHECK(terminal_safe("\xc2\x9b"
                        "2J")
          == "\\u009b2J");
    CHECK(terminal_safe("\xc2\x85") == "\\u0085");
    CHECK(terminal_safe("abc\xe2\x80\xae"
                        "cba")
          == "abc\\u202ecba");
    CHECK(terminal_safe("\xe2\x81\xa6x\xe2\x80\xa8") == "\\u2066x\\u2028");
    // Bytes that are not UTF-8: a lone C1 byte, a truncated sequence, an overlong ESC,
    // a surrogate, a code point past U+10FFFF.
    CHECK(terminal_safe("\x9b"
                        "2J")
          == "\\x9b2J");
    CHECK(terminal_safe("\xe2\x82") == "\\xe2\\x82");
    CHECK(terminal_safe("\xc0\x9b") == "\\xc0\\x9b");
    CHECK(terminal_safe("\xed\xa0\x80") == "\\xed\\xa0\\x80");
    CHECK(terminal_safe("\xf4\x90\x80\x80") == "\\xf4\\x90\\x80\\x80");
    // Printable UTF-8 stays as it is: accents, CJK, emoji, U+00A0 and up.
    for (const char* text : {"Curve",
                             "Ætherium €",
                             "以太坊",
                             "🦄 Uniswap",
                             "a\xc2\xa0"
                             "b",
                             "back\\slash"}) {
        CHECK(terminal_safe(text) == text);
    }
}

TEST_CASE("core::strings::json_escape: RFC 8259 escapes, and DEL, C1 and invalid bytes") {
    using core::strings::json_escape;
    for (int c = 0; c < 0x20; ++c) {
        const std::string escaped = json_escape(std::string(1, static_cast<char>(c)));
        CHECK(escaped.size() >= 2);
        CHECK(escaped[0] == '\\');
    }
    CHECK(json_escape(std::string("\x00\x1f", 2)) == "\\u0000\\u001f");
    CHECK(json_escape("\x1b]0;pwned\x07") == "\\u001b]0;pwned\\u0007");
    CHECK(json_escape("\x7f\xc2\x9b") == "\\u007f\\u009b");
    CHECK(json_escape("bad \xff byte") == "bad \\ufffd byte");
    CHECK(json_escape("以太坊 🦄") == "以太坊 🦄");
}

TEST_CASE("core::strings display width and thousands") {
    using core::strings::display_width;
    CHECK(display_width("abc") == 3);
    CHECK(display_width("Ætherium") == 8);
    CHECK(display_width("以太坊") == 6);
    CHECK(display_width("🦄x") == 3);
    CHECK(core::strings::group_thousands(0) == "0");
    CHECK(core::strings::group_thousands(999) == "999");
    CHECK(core::strings::group_thousands(1000) == "1,000");
    CHECK(core::strings::group_thousands(-1234567) == "-1,234,567");
}

TEST_CASE("core::strings::closest_names lists up to N plausible names, closest first") {
    const std::vector<std::string> pairs = {"XBTUSD", "XBTUSDT", "ETHUSD", "XBTEUR", "ZECUSD"};
    CHECK(core::strings::closest_names("XBTUST", pairs)
          == std::vector<std::string>{"XBTUSD", "XBTUSDT"}); // XBTEUR is 3 edits away
    CHECK(core::strings::closest_names("xbtusd", pairs, 1) == std::vector<std::string>{"XBTUSD"});
    CHECK(core::strings::closest_names("no-such-protocol", pairs).empty());
    CHECK(core::strings::closest_names("x", {}).empty());
}
