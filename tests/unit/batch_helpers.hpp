#pragma once

#include <tm/core/files.hpp>
#include <tm/store/batch.hpp>

#include <catch2/catch.hpp>

#include <string>

// The text of tests/fixtures/`path`.
inline std::string fixture_file(const std::string& path) {
    return core::files::read(std::string(TM_FIXTURE_DIR) + "/" + path);
}

// The newest value of (asset, metric) in `b`; fails the test when there is none.
inline double value_of(const store::Batch& b, const std::string& asset, const std::string& metric) {
    for (size_t i = b.size(); i-- > 0;) {
        const auto& k = b.keys()[b.refs()[i]];
        if (k.asset == asset && k.metric == metric) {
            return b.values()[i];
        }
    }
    FAIL("no point for " << asset << " " << metric);
    return 0;
}

// How many points of `metric` `b` holds.
inline size_t count_of(const store::Batch& b, const std::string& metric) {
    size_t n = 0;
    for (size_t i = 0; i < b.size(); ++i) {
        n += b.keys()[b.refs()[i]].metric == metric;
    }
    return n;
}

// `text` with its first `from` replaced by `to`; fails the test when `from` is not there.
inline std::string replaced(std::string text, const std::string& from, const std::string& to) {
    const auto at = text.find(from);
    REQUIRE(at != std::string::npos);
    return text.replace(at, from.size(), to);
}
