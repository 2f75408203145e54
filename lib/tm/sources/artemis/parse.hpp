#pragma once

#include <tm/store/batch.hpp>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

// Artemis data API responses (research/market-apis.md §A):
//   {"data":{"symbols":{"<sym>":{"<METRIC>":[{"date":"YYYY-MM-DD","val":n}, ...]}}}}
namespace sources::artemis {

inline constexpr const char* k_source = "artemis";

// Something the response says is not there, rather than a value.
struct Skipped {
    std::string asset;  // empty when the whole range is empty
    std::string metric; // empty when the whole range is empty
    std::string message;
};

// Points at each date's 00:00 UTC, asset = symbol in lower case, metric in upper case (keys match
// case-insensitively). The quirks: a metric whose value is a string ("Metric not available for
// asset.") and a `symbols` that is a string ("No data…") become `skipped` entries; a `val` that
// is null or a non-numeric string is no point; a numeric string is a value. Throws
// json::ShapeError for anything else unexpected.
// `kind_of(symbol)` tells the kind of each symbol's series (Artemis responses do not say).
using KindOf = std::function<store::AssetKind(std::string_view symbol)>;

// The kind of a symbol when no config says: equities are eq-…, the rest coins.
store::AssetKind default_kind(std::string_view symbol);

// The symbols the answer holds (its keys, lower case) go to `answered` when given, so that a
// symbol asked for and left out can be told (not when `symbols` is a "no data" string).
void parse_metrics(std::string& body,
                   store::Batch& out,
                   std::vector<Skipped>& skipped,
                   const KindOf& kind_of = default_kind,
                   std::vector<std::string>* answered = nullptr);

// GET /asset/symbols/ → every symbol Artemis lists, lower case. The SDK types it as a list of
// {artemis_id, symbol, title, …}; an Artemis notebook reads {"assets": […]}: both are taken.
std::vector<std::string> parse_symbol_list(std::string& body);

} // namespace sources::artemis
