#include <tm/store/batch.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace store {

SeriesRef Batch::series(std::string_view source,
                        AssetKind kind,
                        std::string_view asset,
                        std::string_view metric,
                        std::string_view unit) {
    std::string key;
    key.reserve(source.size() + asset.size() + metric.size() + 4);
    key.append(source)
        .append(1, '\x1f')
        .append(1, static_cast<char>('a' + static_cast<int>(kind)))
        .append(1, '\x1f')
        .append(asset)
        .append(1, '\x1f')
        .append(metric);
    auto [it, inserted] =
        m_index.try_emplace(std::move(key), static_cast<SeriesRef>(m_keys.size()));
    if (inserted) {
        m_keys.push_back({std::string(source),
                          kind,
                          std::string(asset),
                          std::string(metric),
                          std::string(unit)});
    }
    return it->second;
}

void Batch::add(SeriesRef series, core::Time ts, double value) {
    if (!std::isfinite(value)) {
        return;
    }
    m_refs.push_back(series);
    m_ts.push_back(ts);
    m_values.push_back(value);
}

void Batch::append(const Batch& other) {
    std::vector<SeriesRef> remap(other.m_keys.size());
    for (size_t i = 0; i < other.m_keys.size(); ++i) {
        remap[i] = series(other.m_keys[i]);
    }
    m_refs.reserve(m_refs.size() + other.size());
    for (size_t i = 0; i < other.size(); ++i) {
        m_refs.push_back(remap[other.m_refs[i]]);
    }
    m_ts.insert(m_ts.end(), other.m_ts.begin(), other.m_ts.end());
    m_values.insert(m_values.end(), other.m_values.begin(), other.m_values.end());
}

void Batch::append(Batch&& other) {
    if (empty() && m_keys.empty()) {
        *this = std::move(other);
        other.clear();
        return;
    }
    append(other);
}

Batch Batch::filtered(const std::function<bool(const SeriesKey&)>& keep) const {
    Batch out;
    std::vector<int64_t> remap(m_keys.size(), -1);
    for (size_t s = 0; s < m_keys.size(); ++s) {
        if (keep(m_keys[s])) {
            remap[s] = out.series(m_keys[s]);
        }
    }
    for (size_t i = 0; i < size(); ++i) {
        if (remap[m_refs[i]] >= 0) {
            out.add(static_cast<SeriesRef>(remap[m_refs[i]]), m_ts[i], m_values[i]);
        }
    }
    return out;
}

void Batch::clear() {
    m_keys.clear();
    m_index.clear();
    m_refs.clear();
    m_ts.clear();
    m_values.clear();
}

std::vector<uint32_t> deduplicated_order(const Batch& batch, const std::vector<int32_t>& ids) {
    std::vector<uint32_t> order(batch.size());
    std::iota(order.begin(), order.end(), 0U);
    const auto& refs = batch.refs();
    const auto& ts = batch.times();
    // Stable, so equal keys keep their arrival order and the last one is the newest.
    std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
        const int32_t ia = ids[refs[a]];
        const int32_t ib = ids[refs[b]];
        return ia != ib ? ia < ib : ts[a] < ts[b];
    });
    std::vector<uint32_t> unique;
    unique.reserve(order.size());
    for (size_t i = 0; i < order.size(); ++i) {
        const bool last_of_key = i + 1 == order.size()
                                 || ids[refs[order[i]]] != ids[refs[order[i + 1]]]
                                 || ts[order[i]] != ts[order[i + 1]];
        if (last_of_key) {
            unique.push_back(order[i]);
        }
    }
    return unique;
}

} // namespace store
