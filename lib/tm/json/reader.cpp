#include <tm/core/strings.hpp>
#include <tm/json/reader.hpp>

#include <fmt/format.h>

namespace json {

std::string Path::str() const {
    std::string out = m_parent != nullptr ? m_parent->str() : "$";
    if (m_parent == nullptr && m_key.empty() && m_index < 0) {
        return out;
    }
    if (m_index >= 0) {
        out += fmt::format("[{}]", m_index);
    } else {
        out += '.';
        out += m_key;
    }
    return out;
}

ShapeError::ShapeError(const Path& where, const std::string& what)
    : core::DataError(fmt::format("{}: {}", where.str(), what)) {}

simdjson::padded_string_view padded(std::string& body) {
    if (body.capacity() < body.size() + simdjson::SIMDJSON_PADDING) {
        body.reserve(body.size() + simdjson::SIMDJSON_PADDING);
    }
    return simdjson::padded_string_view(body.data(), body.size(), body.capacity());
}

std::string_view key_of(simdjson::ondemand::field& field, const Path& at) {
    // The parser checked that every string of the document is closed before handing out fields.
    const char* start = field.key().raw();
    const char* end = start;
    while (*end != '"' && *end != '\\') {
        ++end;
    }
    if (*end == '"') {
        return {start, static_cast<size_t>(end - start)};
    }
    std::string_view key;
    check(field.unescaped_key().get(key), at);
    return key;
}

void check(simdjson::error_code error, const Path& where) {
    if (error == simdjson::SUCCESS) {
        return;
    }
    std::string what;
    switch (error) {
    case simdjson::INCORRECT_TYPE:
        what = "unexpected type";
        break;
    case simdjson::INCOMPLETE_ARRAY_OR_OBJECT:
    case simdjson::TAPE_ERROR:
    case simdjson::EMPTY:
        what = fmt::format("invalid JSON, the body looks truncated ({})",
                           simdjson::error_message(error));
        break;
    default:
        what = fmt::format("invalid JSON ({})", simdjson::error_message(error));
    }
    throw ShapeError(where, what);
}

std::string_view type_name(simdjson::ondemand::json_type type) {
    using simdjson::ondemand::json_type;
    switch (type) {
    case json_type::array:
        return "an array";
    case json_type::object:
        return "an object";
    case json_type::number:
        return "a number";
    case json_type::string:
        return "a string";
    case json_type::boolean:
        return "a boolean";
    case json_type::null:
        return "null";
    }
    return "something else";
}

namespace {

simdjson::ondemand::json_type type_of(value& v, const Path& where) {
    simdjson::ondemand::json_type type = simdjson::ondemand::json_type::null;
    check(v.type().get(type), where);
    return type;
}

} // namespace

std::optional<double> number_or_null(value v, const Path& where) {
    using simdjson::ondemand::json_type;
    const auto type = type_of(v, where);
    if (type == json_type::null) {
        return std::nullopt;
    }
    if (type == json_type::number) {
        double d = 0;
        check(v.get_double().get(d), where);
        return d;
    }
    if (type == json_type::string) {
        std::string_view s;
        check(v.get_string().get(s), where);
        if (auto d = core::strings::parse_double(s)) {
            return d;
        }
        if (s == "NaN" || s.empty()) {
            return std::nullopt;
        }
        throw ShapeError(
            where, fmt::format("expected a number, found the string \"{}\"", s.substr(0, 40)));
    }
    throw ShapeError(where, fmt::format("expected a number, found {}", type_name(type)));
}

std::string id(value v, const Path& where) {
    using simdjson::ondemand::json_type;
    const auto type = type_of(v, where);
    if (type == json_type::string) {
        std::string_view s;
        check(v.get_string().get(s), where);
        return std::string(s);
    }
    if (type == json_type::number) {
        std::string_view raw = v.raw_json_token();
        return std::string(core::strings::trim(raw));
    }
    throw ShapeError(where,
                     fmt::format("expected a string or number id, found {}", type_name(type)));
}

std::optional<std::string> string_or_null(value v, const Path& where) {
    using simdjson::ondemand::json_type;
    const auto type = type_of(v, where);
    if (type == json_type::null) {
        return std::nullopt;
    }
    if (type != json_type::string) {
        throw ShapeError(where, fmt::format("expected a string, found {}", type_name(type)));
    }
    std::string_view s;
    check(v.get_string().get(s), where);
    return std::string(s);
}

namespace {

using simdjson::ondemand::json_type;

json_type type_of(value& v, const Path& where);

// Throws ShapeError unless the document was consumed to its end.
void expect_end(simdjson::ondemand::document& doc) {
    // current_location() only succeeds while unread content is left.
    const char* left = nullptr;
    if (doc.current_location().get(left) == simdjson::SUCCESS) {
        throw ShapeError(Path{},
                         "invalid JSON: unexpected content after the document (truncated or "
                         "concatenated body?)");
    }
}

} // namespace

void read_document(std::string& body, const DocumentFn& fn) {
    simdjson::ondemand::parser parser;
    simdjson::ondemand::document doc;
    const Path root;
    check(parser.iterate(padded(body)).get(doc), root);
    json_type type = json_type::null;
    check(doc.type().get(type), root);
    fn(doc, type, root);
    expect_end(doc);
}

void read_object(std::string& body, const ObjectFn& fn, std::string_view what) {
    read_document(body, [&](simdjson::ondemand::document& doc, json_type, const Path& root) {
        simdjson::ondemand::object obj;
        if (doc.get_object().get(obj) != simdjson::SUCCESS) {
            throw ShapeError(root, fmt::format("expected {}", what));
        }
        fn(obj, root);
    });
}

void read_array(std::string& body, const ArrayFn& fn, std::string_view what) {
    read_document(body, [&](simdjson::ondemand::document& doc, json_type, const Path& root) {
        simdjson::ondemand::array items;
        if (doc.get_array().get(items) != simdjson::SUCCESS) {
            throw ShapeError(root, fmt::format("expected {}", what));
        }
        fn(items, root);
    });
}

namespace {

// Calls `fn(array, path)` with the array at field `key` of the root object, reading every other
// field too, so that a body truncated anywhere fails instead of passing unnoticed.
template <typename Fn>
void with_array_at(simdjson::ondemand::document& doc,
                   json_type type,
                   const Path& root,
                   std::string_view key,
                   Fn&& fn) {
    if (type != json_type::object) {
        throw ShapeError(root, fmt::format("expected an object, found {}", type_name(type)));
    }
    simdjson::ondemand::object obj;
    check(doc.get_object().get(obj), root);
    bool found = false;
    for_each_field(obj, root, [&](std::string_view name, value v, const Path& at) {
        if (name != key) {
            return;
        }
        found = true;
        const auto field_type = type_of(v, at);
        if (field_type != json_type::array) {
            throw ShapeError(at, fmt::format("expected an array, found {}", type_name(field_type)));
        }
        simdjson::ondemand::array items;
        check(v.get_array().get(items), at);
        fn(items, at);
    });
    if (!found) {
        throw ShapeError(root.key(key), "missing");
    }
}

} // namespace

void for_each_object(simdjson::ondemand::array& items, const Path& at, const ObjectFn& fn) {
    long index = 0;
    for (auto item : items) {
        const Path here = at.index(index++);
        value v;
        check(item.get(v), here);
        const auto item_type = type_of(v, here);
        if (item_type != json_type::object) {
            throw ShapeError(here,
                             fmt::format("expected an object, found {}", type_name(item_type)));
        }
        simdjson::ondemand::object obj;
        check(v.get_object().get(obj), here);
        fn(obj, here);
    }
}

void for_each_object(std::string& body, const ObjectFn& fn) {
    read_document(body, [&](simdjson::ondemand::document& doc, json_type type, const Path& root) {
        if (type != json_type::array) {
            throw ShapeError(root, fmt::format("expected an array, found {}", type_name(type)));
        }
        simdjson::ondemand::array items;
        check(doc.get_array().get(items), root);
        for_each_object(items, root, fn);
    });
}

void for_each_object_at(std::string& body,
                        std::string_view key,
                        const ObjectFn& fn,
                        BareArray bare) {
    read_document(body, [&](simdjson::ondemand::document& doc, json_type type, const Path& root) {
        if (type == json_type::array && bare == BareArray::accept) {
            simdjson::ondemand::array items;
            check(doc.get_array().get(items), root);
            for_each_object(items, root, fn);
            return;
        }
        with_array_at(doc, type, root, key, [&](simdjson::ondemand::array& items, const Path& at) {
            for_each_object(items, at, fn);
        });
    });
}

void for_each_pair(simdjson::ondemand::array& items,
                   const Path& at,
                   const std::function<void(double ts, double value)>& fn) {
    long index = 0;
    for (auto item : items) {
        const Path here = at.index(index++);
        value v;
        check(item.get(v), here);
        const auto item_type = type_of(v, here);
        if (item_type != json_type::array) {
            throw ShapeError(
                here, fmt::format("expected a [time, value] pair, found {}", type_name(item_type)));
        }
        simdjson::ondemand::array pair;
        check(v.get_array().get(pair), here);
        std::optional<double> ts, x;
        long i = 0;
        for (auto element : pair) {
            value e;
            check(element.get(e), here.index(i));
            if (i == 0) {
                ts = unix_seconds(e, here.index(0));
            } else if (i == 1) {
                x = number_or_null(e, here.index(1));
            }
            ++i;
        }
        if (i != 2) {
            throw ShapeError(here,
                             fmt::format("expected a [time, value] pair, found {} elements", i));
        }
        if (x) {
            fn(*ts, *x);
        }
    }
}

void for_each_pair_at(std::string& body,
                      std::string_view key,
                      const std::function<void(double ts, double value)>& fn) {
    read_document(body, [&](simdjson::ondemand::document& doc, json_type type, const Path& root) {
        with_array_at(doc, type, root, key, [&](simdjson::ondemand::array& items, const Path& at) {
            for_each_pair(items, at, fn);
        });
    });
}

double unix_seconds(value v, const Path& where) {
    // Seconds arrive as numbers or, in stablecoin charts and bridges, as strings of digits.
    const auto seconds = number_or_null(v, where);
    if (!seconds) {
        throw ShapeError(where, "expected a unix time, found null");
    }
    return *seconds;
}

std::vector<std::string> string_list(value v, const Path& at) {
    using simdjson::ondemand::json_type;
    std::vector<std::string> out;
    json_type type = json_type::null;
    check(v.type().get(type), at);
    if (type != json_type::array) {
        return out;
    }
    simdjson::ondemand::array items;
    check(v.get_array().get(items), at);
    long i = 0;
    for (auto item : items) {
        value e;
        check(item.get(e), at.index(i));
        if (auto s = string_or_null(e, at.index(i))) {
            out.push_back(std::move(*s));
        }
        ++i;
    }
    return out;
}

} // namespace json
