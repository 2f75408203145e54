#pragma once

#include <tm/core/error.hpp>

#include <simdjson.h>

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// simdjson on-demand helpers whose errors name the JSON path ("$[3].tvl"), so a wrong-shaped
// response is reported as "GET /protocols: $[3].tvl: expected a number, found a string".
namespace json {

using simdjson::ondemand::value;

// A position in a document. Cheap to build on the stack: nothing is formatted until an error.
class Path {
public:
    Path() = default;
    // A child refers to its parent, so a child of a temporary would dangle (found by fuzzing):
    // name the parent first.
    Path key(std::string_view k) const& { return Path(this, k, -1); }
    Path index(long i) const& { return Path(this, {}, i); }
    Path key(std::string_view k) const&& = delete;
    Path index(long i) const&& = delete;
    std::string str() const;

private:
    Path(const Path* parent, std::string_view key, long index)
        : m_parent(parent), m_key(key), m_index(index) {}
    const Path* m_parent = nullptr;
    std::string_view m_key;
    long m_index = -1;
};

// The response is valid JSON of an unexpected shape, or not valid JSON at all.
class ShapeError : public core::DataError {
public:
    ShapeError(const Path& where, const std::string& what);
};

// Makes `body` usable by simdjson without a copy (it needs SIMDJSON_PADDING spare bytes).
simdjson::padded_string_view padded(std::string& body);

// Throws ShapeError for a simdjson error at `where`.
void check(simdjson::error_code error, const Path& where);

std::string_view type_name(simdjson::ondemand::json_type type);

// A number; null (and absent, handled by callers) is nullopt. A numeric string is accepted,
// since several APIs send decimals as strings. Anything else throws ShapeError.
std::optional<double> number_or_null(value v, const Path& where);

// An identifier that may arrive as a string or a number ("3" or 3).
std::string id(value v, const Path& where);

// A string, or nullopt for null.
std::optional<std::string> string_or_null(value v, const Path& where);

// The key of `field`, read where it lies when it holds no escape (nearly always): unescaping
// copies every key into the parser's string buffer, 46 MB for the 2M points of a 106 MB body.
std::string_view key_of(simdjson::ondemand::field& field, const Path& at);

// Calls `fn(key, value, path)` for every field of `obj`, in document order (the fastest way
// through an on-demand object, and indifferent to absent keys).
template <typename Fn>
void for_each_field(simdjson::ondemand::object& obj, const Path& at, Fn&& fn) {
    for (auto result : obj) {
        simdjson::ondemand::field field;
        check(std::move(result).get(field), at);
        const std::string_view key = key_of(field, at);
        const Path here = at.key(key);
        fn(key, std::move(field).value(), here);
    }
}

// Calls `fn(index, value, path)` for each element of `items`, in order.
template <typename Fn>
void for_each_value(simdjson::ondemand::array& items, const Path& at, Fn&& fn) {
    long index = 0;
    for (auto item : items) {
        const Path here = at.index(index);
        value v;
        check(item.get(v), here);
        fn(index, v, here);
        ++index;
    }
}

using ObjectFn = std::function<void(simdjson::ondemand::object&, const Path&)>;
using ArrayFn = std::function<void(simdjson::ondemand::array&, const Path&)>;
using DocumentFn = std::function<void(
    simdjson::ondemand::document&, simdjson::ondemand::json_type, const Path& root)>;

// The one way to open a response body: parses `body`, hands its root and the root's type to
// `fn`, then throws ShapeError unless the document was read to its end. Lazy parsing looks at
// nothing `fn` does not read, so without that last check a truncated or concatenated body would
// pass; `fn` must therefore read the whole document (for_each_field, not find_field).
void read_document(std::string& body, const DocumentFn& fn);

// read_document for a root that must be an object; otherwise ShapeError "expected <what>".
void read_object(std::string& body, const ObjectFn& fn, std::string_view what = "an object");

// read_document for a root that must be an array; otherwise ShapeError "expected <what>".
void read_array(std::string& body, const ArrayFn& fn, std::string_view what = "an array");

// Calls `fn` for each element of `items`, which must all be objects.
void for_each_object(simdjson::ondemand::array& items, const Path& at, const ObjectFn& fn);

// Parses `body` as a JSON array of objects and calls `fn(object, path)` for each element.
// Throws ShapeError when the body is not such an array or is not valid to its end.
void for_each_object(std::string& body, const ObjectFn& fn);

// Whether a response may also arrive as a bare array instead of an object holding it.
enum class BareArray { refuse, accept };

// Parses `body` as an object and calls `fn` for each object in its array field `key`
// ({"data": [...]}). With BareArray::accept a root array is taken as that array.
void for_each_object_at(std::string& body,
                        std::string_view key,
                        const ObjectFn& fn,
                        BareArray bare = BareArray::refuse);

// Parses `body` as an object and calls `fn(ts, value)` for each [ts, value] pair of its
// array field `key` ("totalDataChart": [[1710201600, 1234.5], ...]). Null values are skipped.
void for_each_pair_at(std::string& body,
                      std::string_view key,
                      const std::function<void(double ts, double value)>& fn);

// Calls `fn(ts, value)` for each [ts, value] pair of `items` (nulls skipped); `at` names it.
void for_each_pair(simdjson::ondemand::array& items,
                   const Path& at,
                   const std::function<void(double ts, double value)>& fn);

// A unix timestamp in seconds given as a number or a string of digits ("1665964800").
double unix_seconds(value v, const Path& where);

// The strings of an array value; nulls are skipped, a non-array gives an empty list.
std::vector<std::string> string_list(value v, const Path& at);

} // namespace json
