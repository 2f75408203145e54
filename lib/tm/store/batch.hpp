#pragma once

#include <tm/core/time.hpp>
#include <tm/store/asset_kind.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace store {

// A series' identity: (source, kind, asset, metric); the unit describes it.
struct SeriesKey {
    std::string source;
    AssetKind kind = AssetKind::protocol;
    std::string asset;
    std::string metric;
    std::string unit;
};

// Index of a series within one Batch.
using SeriesRef = uint32_t;

// Points parsed from responses, held column-wise (ARCHITECTURE §4.1): a series key table plus
// three parallel arrays. Parsers append here; the writer resolves keys to ids and moves it.
class Batch {
public:
    // Interns a series key and returns its reference; repeated keys return the same reference.
    SeriesRef series(std::string_view source,
                     AssetKind kind,
                     std::string_view asset,
                     std::string_view metric,
                     std::string_view unit = {});
    // Interns a key taken from another batch.
    SeriesRef series(const SeriesKey& key) {
        return series(key.source, key.kind, key.asset, key.metric, key.unit);
    }

    // Appends a point. Non-finite values (NaN, inf) are dropped: they are not observations.
    void add(SeriesRef series, core::Time ts, double value);

    // A copy holding only the series for which `keep(key)` is true.
    Batch filtered(const std::function<bool(const SeriesKey&)>& keep) const;

    // Adds every point of `other` to this batch, re-interning its keys.
    void append(const Batch& other);
    // The same, taking `other` whole (no copy) when this batch is empty.
    void append(Batch&& other);
    void clear();

    size_t size() const { return m_ts.size(); }
    bool empty() const { return m_ts.empty(); }
    const std::vector<SeriesKey>& keys() const { return m_keys; }
    const std::vector<SeriesRef>& refs() const { return m_refs; }
    const std::vector<core::Time>& times() const { return m_ts; }
    const std::vector<double>& values() const { return m_values; }

private:
    std::vector<SeriesKey> m_keys;
    std::unordered_map<std::string, SeriesRef> m_index;
    std::vector<SeriesRef> m_refs;
    std::vector<core::Time> m_ts;
    std::vector<double> m_values;
};

// Positions of `batch` ordered by (id, ts) with one entry per (id, ts): where a batch holds the
// same point twice, the later one wins (PostgreSQL aborts an upsert touching a row twice).
// `ids[ref]` maps the batch's series references to database ids.
std::vector<uint32_t> deduplicated_order(const Batch& batch, const std::vector<int32_t>& ids);

} // namespace store
