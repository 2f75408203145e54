#pragma once

#include <tm/store/batch.hpp>

#include <catch2/catch.hpp>

#include <string>

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
