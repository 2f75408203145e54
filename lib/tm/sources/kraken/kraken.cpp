#include <tm/core/error.hpp>
#include <tm/http/url.hpp>
#include <tm/json/reader.hpp>
#include <tm/sources/kraken/kraken.hpp>
#include <tm/sources/price.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <iterator>
#include <set>

namespace sources::kraken {

using json::Path;
using simdjson::ondemand::object;

namespace {

constexpr size_t k_pairs_per_request = 50;
const char* const k_asset_pairs = "GET /0/public/AssetPairs";

// The element `wanted` of a ["price", "volume", …] array.
std::optional<double> element(json::value v, const Path& at, long wanted) {
    simdjson::ondemand::array items;
    json::check(v.get_array().get(items), at);
    long i = 0;
    std::optional<double> out;
    for (auto item : items) {
        json::value x;
        json::check(item.get(x), at.index(i));
        if (i == wanted) {
            out = json::number_or_null(x, at.index(i));
        }
        ++i;
    }
    return out;
}

// Kraken's envelope {"error":[…],"result":{…}}: `fn(key, value, path)` for every field of
// `result`. The errors (E…; W… are warnings) become a core::DataError.
template <typename Fn> void for_each_result(std::string& body, Fn&& fn) {
    std::vector<std::string> errors;
    bool found = false;
    const Path root;
    json::read_object(body, [&](object& top, const Path&) {
        json::for_each_field(top, root, [&](std::string_view key, json::value v, const Path& at) {
            if (key == "error") {
                for (auto& e : json::string_list(v, at)) {
                    if (e.starts_with('E')) {
                        errors.push_back(std::move(e));
                    }
                }
            } else if (key == "result") {
                found = true;
                object result;
                json::check(v.get_object().get(result), at);
                json::for_each_field(result, at, fn);
            }
        });
    });
    if (!errors.empty()) {
        throw core::DataError(fmt::format("Kraken says {}", fmt::join(errors, "; ")));
    }
    if (!found) {
        throw json::ShapeError(root.key("result"), "missing");
    }
}

} // namespace

std::optional<http::BodyError> body_error(const http::Response& response) {
    // Only the error array is read here; the body's shape is its parser's business.
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    simdjson::dom::array items;
    if (parser.parse(response.body).get(root) != simdjson::SUCCESS
        || root["error"].get_array().get(items) != simdjson::SUCCESS) {
        return std::nullopt;
    }
    std::vector<std::string> errors;
    for (auto item : items) {
        std::string_view e;
        if (item.get_string().get(e) == simdjson::SUCCESS && e.starts_with('E')) {
            errors.emplace_back(e);
        }
    }
    if (errors.empty()) {
        return std::nullopt;
    }
    static const std::set<std::string, std::less<>> k_passing = {"EAPI:Rate limit exceeded",
                                                                 "EGeneral:Too many requests",
                                                                 "EService:Unavailable",
                                                                 "EService:Busy"};
    const bool passing = std::all_of(
        errors.begin(), errors.end(), [](const auto& e) { return k_passing.contains(e); });
    return http::BodyError{fmt::format("Kraken says {}", fmt::join(errors, "; ")), passing};
}

std::vector<PairNames> parse_asset_pairs(std::string& body) {
    std::vector<PairNames> pairs;
    for_each_result(body, [&](std::string_view key, json::value v, const Path& at) {
        PairNames names{std::string(key), "", ""};
        object fields;
        json::check(v.get_object().get(fields), at);
        json::for_each_field(fields, at, [&](std::string_view f, json::value x, const Path& x_at) {
            if (f == "altname") {
                names.altname = json::string_or_null(x, x_at).value_or("");
            } else if (f == "wsname") {
                names.wsname = json::string_or_null(x, x_at).value_or("");
            }
        });
        pairs.push_back(std::move(names));
    });
    return pairs;
}

const PairNames* find_pair(const std::vector<PairNames>& pairs, std::string_view name) {
    const auto it = std::find_if(pairs.begin(), pairs.end(), [&](const PairNames& p) {
        return p.key == name || p.altname == name || (!p.wsname.empty() && p.wsname == name);
    });
    return it == pairs.end() ? nullptr : &*it;
}

void parse_ticker(std::string& body,
                  const std::map<std::string, std::string, std::less<>>& asked,
                  core::Time ts,
                  store::Batch& out,
                  std::vector<std::string>& answered,
                  std::vector<std::string>& ignored) {
    for_each_result(body, [&](std::string_view key, json::value ticker, const Path& at) {
        const auto pair = asked.find(key);
        if (pair == asked.end()) {
            ignored.emplace_back(key);
            return;
        }
        answered.push_back(pair->second);
        object fields;
        json::check(ticker.get_object().get(fields), at);
        json::for_each_field(fields, at, [&](std::string_view f, json::value x, const Path& x_at) {
            if (f == "c") {
                if (auto price = traded_price(element(x, x_at, 0))) {
                    out.add(out.series(k_source, store::AssetKind::pair, pair->second, "PRICE"),
                            ts,
                            *price);
                }
            } else if (f == "v") {
                if (auto volume = element(x, x_at, 1)) {
                    out.add(
                        out.series(k_source, store::AssetKind::pair, pair->second, "VOLUME_24H"),
                        ts,
                        *volume);
                }
            }
        });
    });
}

Kraken::Kraken(const Selection& selection, Mode mode)
    : TickerSource({k_source,
                    "spot tickers (price, 24h volume)",
                    {{"TM_KRAKEN_URL", "https://api.kraken.com", "public market data"}},
                    {},
                    std::chrono::minutes{1}},
                   selection,
                   mode,
                   {"XBTUSD", "ETHUSD", "ZECUSD"}) {
    // About one public request a second per IP (ccxt's rateLimit 1000 ms). A pull asks for 50
    // pairs per Ticker request; AssetPairs once per run, from the same budget.
    m_info.budget_per_minute = 60;
    m_info.pull_cost =
        static_cast<double>((pairs().size() + k_pairs_per_request - 1) / k_pairs_per_request);
}

bool Kraken::plan_pull(PullContext& ctx, int phase) {
    if (phase == 0 && !m_catalogue) {
        auto request = http::get(base() + "/0/public/AssetPairs", k_asset_pairs);
        request.body_error = body_error;
        ctx.lookup(std::move(request),
                   [this](std::string& body) { m_catalogue = parse_asset_pairs(body); });
        return true;
    }
    if (!m_catalogue) {
        // AssetPairs failed (recorded): without Kraken's names no answer can be matched.
        return false;
    }
    std::vector<std::string> known, unknown, altnames;
    for (const auto& pair : pairs()) {
        (find_pair(*m_catalogue, pair) != nullptr ? known : unknown).push_back(pair);
    }
    for (const auto& p : *m_catalogue) {
        altnames.push_back(p.altname);
    }
    ctx.report_unknown(unknown, pairs().size(), "Kraken pair", altnames, k_asset_pairs);
    for (size_t i = 0; i < known.size(); i += k_pairs_per_request) {
        fetch_tickers(
            ctx,
            {known.begin() + static_cast<long>(i),
             known.begin() + static_cast<long>(std::min(known.size(), i + k_pairs_per_request))});
    }
    add_assets(ctx, known);
    return false;
}

void Kraken::fetch_tickers(PullContext& ctx, const std::vector<std::string>& pairs) {
    std::map<std::string, std::string, std::less<>> asked;
    std::string keys;
    for (const auto& pair : pairs) {
        const PairNames& names = *find_pair(*m_catalogue, pair);
        for (const auto& name : {names.key, names.altname, names.wsname}) {
            if (!name.empty()) {
                asked.emplace(name, pair);
            }
        }
        keys += fmt::format("{}{}", keys.empty() ? "" : ",", names.key);
    }
    auto request =
        http::get(fmt::format("{}/0/public/Ticker?pair={}", base(), http::percent_encode(keys)),
                  pairs.size() == 1 ? fmt::format("GET /0/public/Ticker {}", pairs.front())
                                    : fmt::format("GET /0/public/Ticker ({} pairs)", pairs.size()));
    request.body_error = body_error;
    const std::string label = request.label;
    const core::Time ts = ctx.snapshot_time();
    ctx.fetch(
        std::move(request),
        pairs.size() == 1 ? pairs.front() : std::string(),
        [&ctx, asked = std::move(asked), pairs, label, ts](
            std::string& b, store::Batch& o, std::vector<store::Asset>&) {
            std::vector<std::string> answered, ignored;
            parse_ticker(b, asked, ts, o, answered, ignored);
            std::vector<std::string> missing;
            std::copy_if(
                pairs.begin(), pairs.end(), std::back_inserter(missing), [&](const auto& pair) {
                    return std::find(answered.begin(), answered.end(), pair) == answered.end();
                });
            if (missing.size() == pairs.size()) {
                throw core::DataError(fmt::format(
                    "Kraken's answer has no ticker for {} (it has {})",
                    fmt::join(missing, ", "),
                    ignored.empty() ? "none" : fmt::format("{}", fmt::join(ignored, ", "))));
            }
            for (const auto& key : ignored) {
                ctx.record_notice(key, label, "a pair tm did not ask for; ignored");
            }
            for (const auto& pair : missing) {
                ctx.record_error(pair, label, "Kraken's answer has no ticker for this pair");
            }
        });
}

} // namespace sources::kraken
