#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// Writing the dashboard's HTML: escaping, links, numbers for people, sparklines, the page frame.
// Everything that came from an API (names, ids, error texts) goes through escape() or
// script_json() before it reaches a page; nothing here trusts its input.
namespace serve::html {

// `s` as HTML text or as a quoted attribute value: & < > " ' become character references.
// Bytes that are not UTF-8 pass as they are (the browser shows U+FFFD for them).
std::string escape(std::string_view s);

// Percent-encodes `s` for a URL, leaving unreserved characters and those in `keep`.
std::string url_encode(std::string_view s, std::string_view keep = "");

// "PATH?k=v&…" with every key and value percent-encoded; pairs with an empty value are left out.
std::string link(std::string_view path,
                 const std::vector<std::pair<std::string_view, std::string_view>>& params);

// JSON text made safe inside <script type="application/json">: '<', '>' and '&' become \u003c,
// \u003e and \u0026 (still the same JSON), so no text can close the element.
std::string script_json(std::string_view json);

// A measurement for people, by its unit: usd $1.23B, percent 4.56 %, ratio (a share) 65.2 %,
// anything else 4 significant digits with k/M/B/T (report::round_for_people).
std::string value(double v, std::string_view unit);

// A relative change for people: "+4.5 %", "−12 %" (3 significant digits), "—" without one. The
// span's class says up, down or flat.
std::string change(std::optional<double> ratio);

// A time as "2024-03-13 05:00" (UTC) from ISO-8601 text; other text is returned escaped.
std::string when(std::string_view iso);

// An inline SVG line of `points` (x, y), scaled to its box; nothing for fewer than two. Rising
// (last above first) lines are drawn in the "up" colour, falling ones in "down".
std::string sparkline(const std::vector<std::pair<double, double>>& points);

// A health or severity badge: <span class="badge CLASS">TEXT</span>.
std::string badge(std::string_view text, std::string_view css_class);

// The dashboard's pages, for the navigation bar.
enum class Nav { overview, defi, series, alerts };

// The whole page: head (stylesheets, scripts, title), navigation with `active` marked, `body`
// (already HTML), and a footer with the time the data is as of (`now`) and tm's version.
std::string page(std::string_view title, Nav active, const std::string& body, std::string_view now);

// The Content-Security-Policy of every page: everything from tm serve itself, nothing else (no
// inline scripts, no remote loads, no frames, forms to tm serve only).
std::string_view content_security_policy();

} // namespace serve::html
