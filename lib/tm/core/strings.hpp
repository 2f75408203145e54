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
std::string to_upper(std::string_view s);
std::string_view trim(std::string_view s);
// Splits on `sep`, trimming each piece and dropping empty ones.
std::vector<std::string> split_list(std::string_view s, char sep = ',');
// `s` as the inside of a JSON string (RFC 8259): quotes, backslashes and U+0000–U+001F escaped
// as the standard requires, and also DEL, C1 (U+0080–U+009F), the bidirectional overrides and
// U+2028/U+2029 as \uXXXX, so a JSON log line is as safe on a terminal as a text one while a
// JSON reader still gets the exact text. A byte that is not UTF-8 becomes U+FFFD (JSON text is
// UTF-8).
std::string json_escape(std::string_view s);
// `s` safe to print on a terminal: every control character shows escaped, so text from an API
// cannot clear the screen, set the title or move the cursor. C0 controls (tab and newline
// included), DEL and bytes that are not UTF-8 become \xNN; C1 controls (U+0080–U+009F, the
// 8-bit ESC sequences), the bidirectional overrides (U+202A–U+202E, U+2066–U+2069) and the
// line and paragraph separators become \uXXXX. Printable UTF-8 stays as it is. A display form,
// not an encoding: a backslash stays a backslash.
std::string terminal_safe(std::string_view s);
// Columns `s` takes on a terminal: one per code point, two for wide East Asian characters and
// emoji (a close estimate of wcwidth that needs no locale).
size_t display_width(std::string_view s);
// "1234567" → "1,234,567"; a leading '-' is kept.
std::string group_thousands(long long n);
// Edit distance, for "did you mean" suggestions.
size_t levenshtein(std::string_view a, std::string_view b);
// The candidate closest to `word` if it is close enough to be a plausible typo.
std::optional<std::string> closest(std::string_view word,
                                   const std::vector<std::string>& candidates);
// Up to `count` candidates close enough to `word` to be plausible typos, closest first (ties in
// the order of `candidates`), compared without regard to case.
std::vector<std::string>
closest_names(std::string_view word, const std::vector<std::string>& candidates, size_t count = 3);
// Strict number parsing: the whole text must be a finite number.
std::optional<double> parse_double(std::string_view s);
std::optional<long long> parse_int(std::string_view s);
// `v` truncated to a whole number; throws core::DataError when it is NaN, infinite or beyond
// 64 bits (a JSON number cast blindly would be undefined behaviour).
int64_t to_int64(double v);

} // namespace core::strings
