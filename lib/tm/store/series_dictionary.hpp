#pragma once

#include <tm/db/connection.hpp>
#include <tm/store/batch.hpp>

#include <string>
#include <unordered_map>
#include <vector>

namespace store {

// Maps (source, kind, asset, metric) to series_id, creating missing series. One round-trip per call
// for whatever the per-run cache does not know yet.
class SeriesDictionary {
public:
    explicit SeriesDictionary(db::Connection& conn) : m_conn(conn) {}

    // Returns ids indexed by the batch's series references. Call it outside a transaction that
    // may roll back: new series are committed at once so that cached ids stay valid (a series
    // row without points is harmless).
    std::vector<int32_t> resolve(const Batch& batch);

private:
    db::Connection& m_conn;
    std::unordered_map<std::string, int32_t> m_cache;
};

} // namespace store
