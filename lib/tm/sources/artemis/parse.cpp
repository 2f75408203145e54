#include <tm/core/strings.hpp>
#include <tm/json/reader.hpp>
#include <tm/sources/artemis/parse.hpp>

#include <fmt/format.h>

#include <algorithm>

namespace sources::artemis {
namespace {

using json::Path;
using simdjson::ondemand::json_type;
using simdjson::ondemand::object;

json_type type_of(json::value& v, const Path& at) {
    json_type t = json_type::null;
    json::check(v.type().get(t), at);
    return t;
}

// {"date": "YYYY-MM-DD", "val": n} rows of one series.
void read_series(simdjson::ondemand::array& rows,
                 const Path& at,
                 store::Batch& out,
                 store::SeriesRef series) {
    json::for_each_object(rows, at, [&](object& row, const Path& here) {
        std::optional<core::Time> date;
        std::optional<double> val;
        json::for_each_field(
            row, here, [&](std::string_view key, json::value v, const Path& field) {
                if (key == "date") {
                    const auto text = json::string_or_null(v, field);
                    date = text ? core::parse_time(*text) : std::nullopt;
                    if (!date) {
                        throw json::ShapeError(field, "expected a YYYY-MM-DD date");
                    }
                } else if (key == "val") {
                    // null, or a string such as "N/A", is no value; "1.5" is one.
                    if (type_of(v, field) == json_type::string) {
                        std::string_view s;
                        json::check(v.get_string().get(s), field);
                        val = core::strings::parse_double(s);
                    } else {
                        val = json::number_or_null(v, field);
                    }
                }
            });
        if (!date) {
            throw json::ShapeError(here.key("date"), "missing");
        }
        if (val) {
            out.add(series, *date, *val);
        }
    });
}

// The levels of {"data":{"symbols":{"<sym>":{"<METRIC>":[rows]}}}}, one function each.
struct MetricsReader {
    store::Batch& out;
    std::vector<Skipped>& skipped;
    const KindOf& kind_of;
    std::vector<std::string>* answered;

    // "symbols": an object by symbol, or a string saying there is no data.
    void symbols(json::value v, const Path& at) {
        const auto t = type_of(v, at);
        if (t == json_type::string) {
            std::string_view message;
            json::check(v.get_string().get(message), at);
            skipped.push_back({"", "", std::string(message)});
            return;
        }
        if (t != json_type::object) {
            throw json::ShapeError(at,
                                   fmt::format("expected an object, found {}", json::type_name(t)));
        }
        object by_symbol;
        json::check(v.get_object().get(by_symbol), at);
        json::for_each_field(
            by_symbol, at, [&](std::string_view symbol, json::value metrics, const Path& m_at) {
                metrics_of(core::strings::to_lower(symbol), metrics, m_at);
            });
    }

    void metrics_of(const std::string& asset, json::value v, const Path& at) {
        if (answered != nullptr) {
            answered->push_back(asset);
        }
        if (type_of(v, at) != json_type::object) {
            throw json::ShapeError(at, "expected an object of metrics");
        }
        object by_metric;
        json::check(v.get_object().get(by_metric), at);
        json::for_each_field(
            by_metric, at, [&](std::string_view metric, json::value series, const Path& s_at) {
                series_of(asset, metric, series, s_at);
            });
    }

    // A list of rows; a string is a message saying the metric is not there; null is nothing.
    void
    series_of(const std::string& asset, std::string_view metric, json::value v, const Path& at) {
        const auto t = type_of(v, at);
        if (t == json_type::string) {
            std::string_view message;
            json::check(v.get_string().get(message), at);
            skipped.push_back({asset, core::strings::to_upper(metric), std::string(message)});
            return;
        }
        if (t == json_type::null) {
            return;
        }
        if (t != json_type::array) {
            throw json::ShapeError(
                at, fmt::format("expected a list of values, found {}", json::type_name(t)));
        }
        simdjson::ondemand::array rows;
        json::check(v.get_array().get(rows), at);
        read_series(rows,
                    at,
                    out,
                    out.series(k_source, kind_of(asset), asset, core::strings::to_upper(metric)));
    }
};

} // namespace

store::AssetKind default_kind(std::string_view symbol) {
    return symbol.starts_with("eq-") ? store::AssetKind::equity : store::AssetKind::coin;
}

void parse_metrics(std::string& body,
                   store::Batch& out,
                   std::vector<Skipped>& skipped,
                   const KindOf& kind_of,
                   std::vector<std::string>* answered) {
    MetricsReader reader{out, skipped, kind_of, answered};
    bool found_data = false;
    const Path root;
    json::read_object(body, [&](object& top, const Path&) {
        json::for_each_field(
            top, root, [&](std::string_view key, json::value data, const Path& at) {
                if (key != "data") {
                    return;
                }
                found_data = true;
                if (type_of(data, at) != json_type::object) {
                    throw json::ShapeError(at, "expected an object");
                }
                object data_obj;
                json::check(data.get_object().get(data_obj), at);
                json::for_each_field(
                    data_obj,
                    at,
                    [&](std::string_view name, json::value symbols, const Path& s_at) {
                        if (name == "symbols") {
                            reader.symbols(symbols, s_at);
                        }
                    });
            });
    });
    if (!found_data) {
        throw json::ShapeError(root.key("data"), "missing");
    }
}

std::vector<std::string> parse_symbol_list(std::string& body) {
    std::vector<std::string> symbols;
    json::for_each_object_at(
        body,
        "assets",
        [&](object& asset, const Path& at) {
            json::for_each_field(
                asset, at, [&](std::string_view key, json::value v, const Path& here) {
                    if (key == "symbol") {
                        if (auto symbol = json::string_or_null(v, here)) {
                            symbols.push_back(core::strings::to_lower(*symbol));
                        }
                    }
                });
        },
        json::BareArray::accept);
    return symbols;
}

} // namespace sources::artemis
