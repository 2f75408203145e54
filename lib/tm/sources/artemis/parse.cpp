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

std::string upper(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) {
        return static_cast<char>(std::toupper(c));
    });
    return out;
}

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

} // namespace

store::AssetKind default_kind(std::string_view symbol) {
    return symbol.starts_with("eq-") ? store::AssetKind::equity : store::AssetKind::coin;
}

void parse_metrics(std::string& body,
                   store::Batch& out,
                   std::vector<Skipped>& skipped,
                   const KindOf& kind_of,
                   std::vector<std::string>* answered) {
    simdjson::ondemand::parser parser;
    simdjson::ondemand::document doc;
    const Path root;
    json::check(parser.iterate(json::padded(body)).get(doc), root);
    object top;
    if (doc.get_object().get(top) != simdjson::SUCCESS) {
        throw json::ShapeError(root, "expected an object");
    }
    bool found_data = false;
    json::for_each_field(
        top, root, [&](std::string_view key, json::value data, const Path& data_at) {
            if (key != "data") {
                return;
            }
            found_data = true;
            object data_obj;
            if (type_of(data, data_at) != json_type::object) {
                throw json::ShapeError(data_at, "expected an object");
            }
            json::check(data.get_object().get(data_obj), data_at);
            json::for_each_field(
                data_obj,
                data_at,
                [&](std::string_view name, json::value symbols, const Path& sym_at) {
                    if (name != "symbols") {
                        return;
                    }
                    const auto t = type_of(symbols, sym_at);
                    if (t == json_type::string) {
                        std::string_view message;
                        json::check(symbols.get_string().get(message), sym_at);
                        skipped.push_back({"", "", std::string(message)});
                        return;
                    }
                    if (t != json_type::object) {
                        throw json::ShapeError(
                            sym_at,
                            fmt::format("expected an object, found {}", json::type_name(t)));
                    }
                    object by_symbol;
                    json::check(symbols.get_object().get(by_symbol), sym_at);
                    json::for_each_field(
                        by_symbol,
                        sym_at,
                        [&](std::string_view symbol, json::value metrics, const Path& m_at) {
                            const std::string asset = core::strings::to_lower(symbol);
                            if (answered != nullptr) {
                                answered->push_back(asset);
                            }
                            object by_metric;
                            if (type_of(metrics, m_at) != json_type::object) {
                                throw json::ShapeError(m_at, "expected an object of metrics");
                            }
                            json::check(metrics.get_object().get(by_metric), m_at);
                            json::for_each_field(
                                by_metric,
                                m_at,
                                [&](std::string_view metric, json::value series, const Path& s_at) {
                                    const auto st = type_of(series, s_at);
                                    if (st == json_type::string) {
                                        std::string_view message;
                                        json::check(series.get_string().get(message), s_at);
                                        skipped.push_back(
                                            {asset, upper(metric), std::string(message)});
                                        return;
                                    }
                                    if (st == json_type::null) {
                                        return;
                                    }
                                    if (st != json_type::array) {
                                        throw json::ShapeError(
                                            s_at,
                                            fmt::format("expected a list of values, found {}",
                                                        json::type_name(st)));
                                    }
                                    simdjson::ondemand::array rows;
                                    json::check(series.get_array().get(rows), s_at);
                                    read_series(
                                        rows,
                                        s_at,
                                        out,
                                        out.series(k_source, kind_of(asset), asset, upper(metric)));
                                });
                        });
                });
        });
    json::expect_end(doc);
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
