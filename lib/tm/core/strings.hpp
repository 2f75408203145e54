#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// Small text helpers that know nothing about tm.
namespace core::strings {

std::string to_lower(std::string_view s);
std::string_view trim(std::string_view s);
// Splits on `sep`, trimming each piece and dropping empty ones.
std::vector<std::string> split_list(std::string_view s, char sep = ',');
std::string json_escape(std::string_view s);
// Edit distance, for "did you mean" suggestions.
size_t levenshtein(std::string_view a, std::string_view b);
// The candidate closest to `word` if it is close enough to be a plausible typo.
std::optional<std::string> closest(std::string_view word,
                                   const std::vector<std::string>& candidates);
// Strict number parsing: the whole text must be a finite number.
std::optional<double> parse_double(std::string_view s);
std::optional<long long> parse_int(std::string_view s);
// `v` truncated to a whole number; throws core::DataError when it is NaN, infinite or beyond
// 64 bits (a JSON number cast blindly would be undefined behaviour).
int64_t to_int64(double v);

} // namespace core::strings
