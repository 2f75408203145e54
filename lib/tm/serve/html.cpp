#include <tm/core/version.hpp>
#include <tm/report/rows.hpp>
#include <tm/serve/html.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>

namespace serve::html {

namespace {

// `s` with each character that `replace` maps to text replaced by that text.
template <typename Replace> std::string substitute(std::string_view s, Replace replace) {
    std::string out;
    out.reserve(s.size() + s.size() / 8);
    for (const char c : s) {
        if (const std::string_view r = replace(c); !r.empty()) {
            out += r;
        } else {
            out += c;
        }
    }
    return out;
}

} // namespace

std::string escape(std::string_view s) {
    return substitute(s, [](char c) -> std::string_view {
        switch (c) {
        case '&':
            return "&amp;";
        case '<':
            return "&lt;";
        case '>':
            return "&gt;";
        case '"':
            return "&quot;";
        case '\'':
            return "&#39;";
        default:
            return {};
        }
    });
}

std::string url_encode(std::string_view s, std::string_view keep) {
    std::string out;
    for (const unsigned char c : s) {
        if (std::isalnum(c) != 0 || c == '-' || c == '.' || c == '_' || c == '~'
            || keep.find(static_cast<char>(c)) != std::string_view::npos) {
            out += static_cast<char>(c);
        } else {
            out += fmt::format("%{:02X}", c);
        }
    }
    return out;
}

std::string link(std::string_view path,
                 const std::vector<std::pair<std::string_view, std::string_view>>& params) {
    std::string out = url_encode(path, "/");
    char separator = '?';
    for (const auto& [key, value] : params) {
        if (!value.empty()) {
            out += fmt::format("{}{}={}", separator, url_encode(key), url_encode(value));
            separator = '&';
        }
    }
    return out;
}

std::string script_json(std::string_view json) {
    return substitute(json, [](char c) -> std::string_view {
        switch (c) {
        case '<':
            return "\\u003c";
        case '>':
            return "\\u003e";
        case '&':
            return "\\u0026";
        default:
            return {};
        }
    });
}

std::string value(double v, std::string_view unit) {
    if (unit == "usd") {
        const std::string n = report::round_for_people(std::fabs(v));
        return v < 0 ? fmt::format("−${}", n) : fmt::format("${}", n);
    }
    if (unit == "percent") {
        return fmt::format("{}\u202f%", report::round_for_people(v));
    }
    if (unit == "ratio") {
        return fmt::format("{}\u202f%", report::round_for_people(v * 100));
    }
    return report::round_for_people(v);
}

std::string change(std::optional<double> ratio) {
    if (!ratio || !std::isfinite(*ratio)) {
        return "<span class=\"flat\">—</span>";
    }
    const double pct = *ratio * 100;
    // One decimal (+4.5 %) up to a hundred, none beyond (+250 %).
    const std::string digits = std::fabs(pct) >= 99.95 ? fmt::format("{:.0f}", std::fabs(pct))
                                                       : fmt::format("{:.1f}", std::fabs(pct));
    if (digits == "0.0") {
        return "<span class=\"flat\">0\u202f%</span>";
    }
    return pct > 0 ? fmt::format("<span class=\"up\">+{}\u202f%</span>", digits)
                   : fmt::format("<span class=\"down\">−{}\u202f%</span>", digits);
}

std::string when(std::string_view iso) {
    // "2024-03-13T05:00:00Z" → "2024-03-13 05:00"
    if (iso.size() >= 16 && iso[10] == 'T') {
        return fmt::format("{} {}", escape(iso.substr(0, 10)), escape(iso.substr(11, 5)));
    }
    return escape(iso);
}

std::string sparkline(const std::vector<std::pair<double, double>>& points) {
    if (points.size() < 2) {
        return {};
    }
    constexpr double k_w = 90, k_h = 24, k_pad = 2;
    double x0 = points.front().first, x1 = points.front().first;
    double y0 = points.front().second, y1 = points.front().second;
    for (const auto& [x, y] : points) {
        x0 = std::min(x0, x);
        x1 = std::max(x1, x);
        y0 = std::min(y0, y);
        y1 = std::max(y1, y);
    }
    const double dx = x1 > x0 ? x1 - x0 : 1, dy = y1 > y0 ? y1 - y0 : 1;
    std::string coords;
    for (const auto& [x, y] : points) {
        const double px = (x - x0) / dx * k_w;
        // A flat line sits in the middle rather than on the floor.
        const double py = y1 > y0 ? k_pad + (y1 - y) / dy * (k_h - 2 * k_pad) : k_h / 2;
        coords += fmt::format("{}{:.1f},{:.1f}", coords.empty() ? "" : " ", px, py);
    }
    const char* trend = points.back().second > points.front().second   ? "up"
                        : points.back().second < points.front().second ? "down"
                                                                       : "flat";
    return fmt::format("<svg class=\"spark {}\" viewBox=\"0 0 {} {}\" width=\"{}\" height=\"{}\" "
                       "role=\"img\" aria-label=\"trend\"><polyline points=\"{}\"/></svg>",
                       trend,
                       k_w,
                       k_h,
                       k_w,
                       k_h,
                       coords);
}

std::string badge(std::string_view text, std::string_view css_class) {
    return fmt::format("<span class=\"badge {}\">{}</span>", escape(css_class), escape(text));
}

std::string_view content_security_policy() {
    return "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
           "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
}

std::string
page(std::string_view title, Nav active, const std::string& body, std::string_view now) {
    constexpr std::pair<Nav, std::pair<const char*, const char*>> k_nav[] = {
        {Nav::overview, {"/", "Overview"}},
        {Nav::defi, {"/defi", "DeFi"}},
        {Nav::series, {"/chart", "Series"}},
        {Nav::alerts, {"/journal", "Alerts &amp; pulls"}},
    };
    std::string nav;
    for (const auto& [which, target] : k_nav) {
        nav += fmt::format("<a href=\"{}\"{}>{}</a>",
                           target.first,
                           which == active ? " class=\"on\" aria-current=\"page\"" : "",
                           target.second);
    }
    return fmt::format(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        "<title>{0} · tm</title>"
        "<link rel=\"icon\" href=\"data:,\">"
        "<link rel=\"stylesheet\" href=\"/static/dygraph.css\">"
        "<link rel=\"stylesheet\" href=\"/static/tm.css\">"
        "<script defer src=\"/static/dygraph.min.js\"></script>"
        "<script defer src=\"/static/tm.js\"></script></head>\n"
        "<body><header><a class=\"brand\" href=\"/\">tm</a><nav>{1}</nav></header>\n"
        "<main><h1>{0}</h1>\n{2}</main>\n"
        "<footer>Data as of {3} UTC · tm {4} · read-only · <a href=\"/openapi.json\">JSON "
        "API</a></footer></body></html>\n",
        escape(title),
        nav,
        body,
        when(now),
        escape(core::version()));
}

} // namespace serve::html
