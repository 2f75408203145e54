#include <tm/core/log.hpp>
#include <tm/core/strings.hpp>
#include <tm/http/url.hpp>
#include <tm/json/reader.hpp>
#include <tm/sources/binance/binance.hpp>
#include <tm/sources/price.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <iterator>
#include <optional>
#include <set>

namespace sources::binance {
namespace {

using json::Path;
using simdjson::ondemand::object;

void read_ticker(object& obj, const Path& at, store::Batch& out) {
    std::optional<std::string> symbol;
    std::optional<double> price, volume, quote, close_ms;
    json::for_each_field(obj, at, [&](std::string_view key, json::value v, const Path& here) {
        if (key == "symbol") {
            symbol = json::string_or_null(v, here);
        } else if (key == "lastPrice") {
            price = json::number_or_null(v, here);
        } else if (key == "volume") {
            volume = json::number_or_null(v, here);
        } else if (key == "quoteVolume") {
            quote = json::number_or_null(v, here);
        } else if (key == "closeTime") {
            close_ms = json::number_or_null(v, here);
        }
    });
    if (!symbol || !close_ms) {
        throw json::ShapeError(at, "expected symbol and closeTime");
    }
    const core::Time ts = core::from_unix_millis(core::strings::to_int64(*close_ms));
    const auto add = [&](const char* metric, const std::optional<double>& v) {
        if (v) {
            out.add(out.series(k_source, store::AssetKind::pair, *symbol, metric), ts, *v);
        }
    };
    add("PRICE", traded_price(price));
    add("VOLUME_24H", volume);
    add("QUOTE_VOLUME_24H", quote);
}

} // namespace

std::vector<std::string> parse_symbols(std::string& body) {
    std::vector<std::string> symbols;
    json::for_each_object(body, [&](object& obj, const Path& at) {
        json::for_each_field(obj, at, [&](std::string_view key, json::value v, const Path& here) {
            if (key == "symbol") {
                if (auto symbol = json::string_or_null(v, here)) {
                    symbols.push_back(std::move(*symbol));
                }
            }
        });
    });
    return symbols;
}

std::optional<int64_t> error_code(const http::Response& response) {
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    int64_t code = 0;
    if (parser.parse(response.body).get(root) != simdjson::SUCCESS
        || root["code"].get_int64().get(code) != simdjson::SUCCESS) {
        return std::nullopt;
    }
    return code;
}

void parse_tickers(std::string& body, store::Batch& out) {
    // `symbol=` answers one object, `symbols=[…]` an array of them.
    const auto first = body.find_first_not_of(" \t\r\n");
    if (first != std::string::npos && body[first] == '{') {
        std::string wrapped = fmt::format("[{}]", body);
        json::for_each_object(wrapped,
                              [&](object& obj, const Path& at) { read_ticker(obj, at, out); });
        return;
    }
    json::for_each_object(body, [&](object& obj, const Path& at) { read_ticker(obj, at, out); });
}

size_t parse_klines(std::string& body,
                    const std::string& symbol,
                    const std::string& interval,
                    store::Batch& out,
                    int64_t& last_open_ms) {
    const std::string suffix = core::strings::to_upper(interval);
    static constexpr const char* k_fields[] = {"OPEN", "HIGH", "LOW", "CLOSE", "VOLUME"};
    store::SeriesRef series[5];
    for (int f = 0; f < 5; ++f) {
        series[f] = out.series(
            k_source, store::AssetKind::pair, symbol, fmt::format("{}_{}", k_fields[f], suffix));
    }
    size_t count = 0;
    json::read_array(
        body,
        [&](simdjson::ondemand::array& rows, const Path& root) {
            long r = 0;
            for (auto row : rows) {
                const Path at = root.index(r++);
                simdjson::ondemand::array cells;
                json::check(row.get_array().get(cells), at);
                std::optional<double> open_ms;
                double values[5] = {};
                bool present[5] = {};
                long c = 0;
                for (auto cell : cells) {
                    json::value v;
                    json::check(cell.get(v), at.index(c));
                    if (c == 0) {
                        open_ms = json::number_or_null(v, at.index(c));
                    } else if (c <= 5) {
                        if (auto x = json::number_or_null(v, at.index(c))) {
                            values[c - 1] = *x;
                            present[c - 1] = true;
                        }
                    }
                    ++c;
                }
                if (!open_ms || c < 6) {
                    throw json::ShapeError(
                        at, "expected [openTime, open, high, low, close, volume, …]");
                }
                const auto ms = core::strings::to_int64(*open_ms);
                last_open_ms = std::max(last_open_ms, ms);
                for (int f = 0; f < 5; ++f) {
                    if (present[f]) {
                        out.add(series[f], core::from_unix_millis(ms), values[f]);
                    }
                }
                ++count;
            }
        },
        "an array of klines");
    return count;
}

Binance::Binance(const Selection& selection, Mode mode)
    : TickerSource({k_source,
                    "spot tickers (price, 24h volume)",
                    {{"TM_BINANCE_URL", "https://api.binance.com", "spot market data"}},
                    {},
                    std::chrono::minutes{1}},
                   selection,
                   mode,
                   {"BTCUSDT", "ETHUSDT", "ZECUSDT"},
                   true),
      m_interval(selection.interval) {
    // Request weight 6,000 a minute per IP; tm keeps to a fifth. A ticker call for up to 20
    // symbols weighs 2; the symbol list (once per run) 4.
    m_info.budget_per_minute = 1200;
    m_info.pull_cost = 2.0 * static_cast<double>((pairs().size() + 19) / 20);
}

void Binance::fetch_catalogue(RunContext& ctx) {
    auto request = http::get(base() + "/api/v3/ticker/price", k_symbol_list);
    request.weight = 4;
    ctx.lookup(std::move(request),
               [this](std::string& body) { m_catalogue = parse_symbols(body); });
}

std::vector<std::string> Binance::checked() {
    m_invalid.clear();
    if (!m_catalogue) {
        core::log::warn("the Binance symbol list did not arrive, so names are not checked first; a "
                        "batch Binance refuses as a whole is split until the unknown symbols "
                        "stand alone");
        return pairs();
    }
    const std::set<std::string, std::less<>> listed(m_catalogue->begin(), m_catalogue->end());
    std::vector<std::string> known;
    for (const auto& symbol : pairs()) {
        (listed.contains(symbol) ? known : m_invalid).push_back(symbol);
    }
    return known;
}

void Binance::report_invalid(RunContext& ctx) {
    ctx.report_unknown(m_invalid,
                       pairs().size(),
                       "Binance symbol",
                       m_catalogue.value_or(std::vector<std::string>{}),
                       k_symbol_list);
    std::vector<std::string> valid;
    std::copy_if(pairs().begin(), pairs().end(), std::back_inserter(valid), [&](const auto& s) {
        return std::find(m_invalid.begin(), m_invalid.end(), s) == m_invalid.end();
    });
    add_assets(ctx, valid);
}

bool Binance::plan_pull(PullContext& ctx, int phase) {
    if (phase == 0) {
        m_data_phase = m_catalogue ? 0 : 1;
        if (!m_catalogue) {
            fetch_catalogue(ctx);
            return true;
        }
    }
    if (phase == m_data_phase) {
        const auto symbols = checked();
        for (size_t i = 0; i < symbols.size(); i += 20) {
            fetch_tickers(ctx,
                          {symbols.begin() + static_cast<long>(i),
                           symbols.begin() + static_cast<long>(std::min(symbols.size(), i + 20))});
        }
        return true; // then the unknown symbols, with those Binance refused after all
    }
    report_invalid(ctx);
    return false;
}

bool Binance::refused(RunContext& ctx, const std::string& label, const http::Response& r) {
    if (r.status != 418 && r.status != 451) {
        return false;
    }
    ctx.record_error("",
                     label,
                     r.status == 418
                         ? "HTTP 418: Binance has banned this IP for ignoring rate limits; wait "
                           "(minutes to days) before pulling again"
                         : "HTTP 451: Binance refuses this location; point TM_BINANCE_URL at "
                           "https://api.binance.us or https://data-api.binance.vision");
    return true;
}

void Binance::fetch_tickers(PullContext& ctx, std::vector<std::string> symbols) {
    std::string list;
    for (const auto& symbol : symbols) {
        list += fmt::format("{}\"{}\"", list.empty() ? "" : ",", symbol);
    }
    auto request = http::get(fmt::format("{}/api/v3/ticker/24hr?symbols={}",
                                         base(),
                                         http::percent_encode(fmt::format("[{}]", list))),
                             "GET /api/v3/ticker/24hr");
    request.weight = 2;
    const std::string label = request.label;
    ctx.fetch(
        std::move(request),
        symbols.size() == 1 ? symbols.front() : std::string(),
        [](std::string& b, store::Batch& o, std::vector<store::Asset>&) { parse_tickers(b, o); },
        [this, &ctx, label, symbols](const http::Response& r) {
            if (refused(ctx, label, r)) {
                return true;
            }
            if (error_code(r) != k_invalid_symbol) {
                return false;
            }
            // One unknown symbol fails the whole list: halve it until each stands alone.
            if (symbols.size() == 1) {
                m_invalid.push_back(symbols.front());
                return true;
            }
            const auto mid = symbols.begin() + static_cast<long>(symbols.size() / 2);
            fetch_tickers(ctx, {symbols.begin(), mid});
            fetch_tickers(ctx, {mid, symbols.end()});
            return true;
        });
}

void Binance::page(BackfillContext& ctx, std::string symbol, core::Time start) {
    if (start >= ctx.to()) {
        return;
    }
    using std::chrono::duration_cast;
    using std::chrono::milliseconds;
    const auto start_ms = duration_cast<milliseconds>(start.time_since_epoch()).count();
    const auto end_ms = duration_cast<milliseconds>(ctx.to().time_since_epoch()).count() - 1;
    auto request = http::get(
        fmt::format("{}/api/v3/klines?symbol={}&interval={}&startTime={}&endTime={}&limit=1000",
                    base(),
                    http::percent_encode(symbol),
                    m_interval,
                    start_ms,
                    end_ms),
        fmt::format("GET /api/v3/klines {}", symbol));
    request.weight = 2;
    const std::string label = request.label;
    Chunk chunk{{}, ctx.to()};
    for (const char* field : {"OPEN", "HIGH", "LOW", "CLOSE", "VOLUME"}) {
        const std::string suffix = core::strings::to_upper(m_interval);
        chunk.keys.push_back({symbol, fmt::format("{}_{}", field, suffix)});
    }
    // A full page (1,000 candles) lowers the chunk's end to just after its last candle.
    ctx.fetch_chunk(
        std::move(request),
        std::move(chunk),
        [symbol, interval = m_interval](std::string& b, store::Batch& o, core::Time& through) {
            int64_t last_open = 0;
            if (parse_klines(b, symbol, interval, o, last_open) >= 1000) {
                through = core::from_unix_millis(last_open + 1);
            }
        },
        [this, &ctx, symbol](core::Time through) {
            if (through < ctx.to()) {
                page(ctx, symbol, through);
            }
        },
        [this, &ctx, symbol, label](const http::Response& r) {
            if (refused(ctx, label, r)) {
                return true;
            }
            if (error_code(r) != k_invalid_symbol) {
                return false;
            }
            m_invalid.push_back(symbol);
            return true;
        });
}

bool Binance::plan_backfill(BackfillContext& ctx, int phase) {
    if (phase == 0) {
        fetch_catalogue(ctx);
        return true;
    }
    if (phase == 1) {
        const core::Time from =
            ctx.from() == core::Time::min()
                ? core::floor_to(ctx.now(), std::chrono::days{1}) - std::chrono::days{365}
                : ctx.from();
        for (const auto& symbol : checked()) {
            const std::string suffix = core::strings::to_upper(m_interval);
            const auto done = ctx.done_through({symbol, fmt::format("CLOSE_{}", suffix)});
            page(ctx, symbol, std::max(from, done.value_or(from)));
        }
        return true;
    }
    report_invalid(ctx);
    return false;
}

} // namespace sources::binance
