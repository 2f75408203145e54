#include <tm/core/error.hpp>
#include <tm/core/strings.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>

namespace core::strings {

std::string to_lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) {
        return static_cast<char>(std::tolower(c));
    });
    return out;
}

std::string to_upper(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) {
        return static_cast<char>(std::toupper(c));
    });
    return out;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) {
        s.remove_prefix(1);
    }
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) {
        s.remove_suffix(1);
    }
    return s;
}

std::vector<std::string> split_list(std::string_view s, char sep) {
    std::vector<std::string> out;
    size_t start = 0;
    while (start <= s.size()) {
        size_t end = s.find(sep, start);
        if (end == std::string_view::npos) {
            end = s.size();
        }
        const auto piece = trim(s.substr(start, end - start));
        if (!piece.empty()) {
            out.emplace_back(piece);
        }
        start = end + 1;
    }
    return out;
}

namespace {

// One UTF-8 sequence at the front of `s`: its code point and length, or code point -1 and
// length 1 for a byte that does not start a valid sequence (overlong forms, surrogates and
// code points past U+10FFFF are not valid).
struct CodePoint {
    long value;
    size_t length;
};

CodePoint next_code_point(std::string_view s) {
    const auto byte = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
    const unsigned char b0 = byte(0);
    if (b0 < 0x80) {
        return {b0, 1};
    }
    size_t length = 0;
    long value = 0;
    long min = 0;
    if (b0 >= 0xc2 && b0 <= 0xdf) {
        length = 2;
        value = b0 & 0x1f;
        min = 0x80;
    } else if (b0 >= 0xe0 && b0 <= 0xef) {
        length = 3;
        value = b0 & 0x0f;
        min = 0x800;
    } else if (b0 >= 0xf0 && b0 <= 0xf4) {
        length = 4;
        value = b0 & 0x07;
        min = 0x10000;
    } else {
        return {-1, 1};
    }
    if (s.size() < length) {
        return {-1, 1};
    }
    for (size_t i = 1; i < length; ++i) {
        if ((byte(i) & 0xc0) != 0x80) {
            return {-1, 1};
        }
        value = (value << 6) | (byte(i) & 0x3f);
    }
    if (value < min || value > 0x10ffff || (value >= 0xd800 && value <= 0xdfff)) {
        return {-1, 1};
    }
    return {value, length};
}

// Code points that change what a terminal does or how the rest of a line reads: C0, DEL, C1,
// the bidirectional embeddings, overrides and isolates, and the line/paragraph separators.
bool controls_terminal(long cp) {
    return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || (cp >= 0x202a && cp <= 0x202e)
           || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x2028 || cp == 0x2029;
}

bool wide(long cp) {
    return (cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf && cp != 0x303f)
           || (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff)
           || (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60)
           || (cp >= 0xffe0 && cp <= 0xffe6) || (cp >= 0x1f300 && cp <= 0x1f64f)
           || (cp >= 0x1f900 && cp <= 0x1f9ff) || (cp >= 0x20000 && cp <= 0x3fffd);
}

} // namespace

std::string json_escape(std::string_view s) {
    std::string out;
    out.reserve(s.size() + 8);
    while (!s.empty()) {
        const auto [cp, length] = next_code_point(s);
        switch (cp) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        case -1:
            out += "\\ufffd";
            break;
        default:
            if (controls_terminal(cp)) {
                out += fmt::format("\\u{:04x}", cp);
            } else {
                out.append(s.substr(0, length));
            }
        }
        s.remove_prefix(length);
    }
    return out;
}

std::string terminal_safe(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    while (!s.empty()) {
        const auto [cp, length] = next_code_point(s);
        if (cp < 0x20 || cp == 0x7f) { // -1: a byte that is not UTF-8
            out += fmt::format("\\x{:02x}", static_cast<unsigned char>(s[0]));
        } else if (controls_terminal(cp)) {
            out += fmt::format("\\u{:04x}", cp);
        } else {
            out.append(s.substr(0, length));
        }
        s.remove_prefix(length);
    }
    return out;
}

size_t display_width(std::string_view s) {
    size_t width = 0;
    while (!s.empty()) {
        const auto [cp, length] = next_code_point(s);
        width += wide(cp) ? 2 : 1;
        s.remove_prefix(length);
    }
    return width;
}

std::string group_thousands(long long n) {
    const std::string digits = std::to_string(n);
    const size_t sign = n < 0 ? 1 : 0;
    std::string out = digits.substr(0, sign);
    for (size_t i = sign; i < digits.size(); ++i) {
        if (i > sign && (digits.size() - i) % 3 == 0) {
            out += ',';
        }
        out += digits[i];
    }
    return out;
}

size_t levenshtein(std::string_view a, std::string_view b) {
    std::vector<size_t> row(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) {
        row[j] = j;
    }
    for (size_t i = 1; i <= a.size(); ++i) {
        size_t diagonal = row[0];
        row[0] = i;
        for (size_t j = 1; j <= b.size(); ++j) {
            const size_t above = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1])});
            diagonal = above;
        }
    }
    return row[b.size()];
}

std::vector<std::string>
closest_names(std::string_view word, const std::vector<std::string>& candidates, size_t count) {
    const std::string lower = to_lower(word);
    // A suggestion further away than about a third of the word is noise, not help.
    const size_t limit = std::max<size_t>(2, word.size() / 3);
    std::vector<std::pair<size_t, const std::string*>> near;
    for (const auto& c : candidates) {
        // Lengths alone bound the distance: most of a long list is skipped without the matrix.
        const size_t gap = c.size() > word.size() ? c.size() - word.size() : word.size() - c.size();
        if (gap > limit) {
            continue;
        }
        const size_t d = levenshtein(lower, to_lower(c));
        if (d <= limit) {
            near.emplace_back(d, &c);
        }
    }
    std::stable_sort(
        near.begin(), near.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<std::string> out;
    for (const auto& [d, c] : near) {
        if (out.size() == count) {
            break;
        }
        if (std::find(out.begin(), out.end(), *c) == out.end()) {
            out.push_back(*c);
        }
    }
    return out;
}

std::optional<std::string> closest(std::string_view word,
                                   const std::vector<std::string>& candidates) {
    auto names = closest_names(word, candidates, 1);
    if (names.empty()) {
        return std::nullopt;
    }
    return names.front();
}

std::optional<double> parse_double(std::string_view s) {
    s = trim(s);
    if (s.empty()) {
        return std::nullopt;
    }
    double value = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(value)) {
        return std::nullopt;
    }
    return value;
}

std::optional<long long> parse_int(std::string_view s) {
    s = trim(s);
    long long value = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (s.empty() || ec != std::errc() || end != s.data() + s.size()) {
        return std::nullopt;
    }
    return value;
}

int64_t to_int64(double v) {
    // 2^63 is exactly representable; every double below it converts without overflow.
    if (!std::isfinite(v) || v >= 9223372036854775808.0 || v < -9223372036854775808.0) {
        throw DataError(fmt::format("number {} is not a 64-bit whole number", v));
    }
    return static_cast<int64_t>(v);
}

} // namespace core::strings
