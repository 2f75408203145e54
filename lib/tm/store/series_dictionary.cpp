#include <tm/core/error.hpp>
#include <tm/store/series_dictionary.hpp>

#include <fmt/format.h>

namespace store {
namespace {

std::string cache_key(std::string_view source,
                      std::string_view kind,
                      std::string_view asset,
                      std::string_view metric) {
    std::string k;
    k.append(source)
        .append(1, '\x1f')
        .append(kind)
        .append(1, '\x1f')
        .append(asset)
        .append(1, '\x1f')
        .append(metric);
    return k;
}

} // namespace

std::vector<int32_t> SeriesDictionary::resolve(const Batch& batch) {
    const auto& keys = batch.keys();
    std::vector<int32_t> ids(keys.size(), 0);
    std::vector<std::string> sources, kinds, assets, metrics, units;
    // Fills ids from the cache and lists the keys it does not know yet.
    const auto collect_missing = [&] {
        sources.clear();
        kinds.clear();
        assets.clear();
        metrics.clear();
        units.clear();
        for (size_t i = 0; i < keys.size(); ++i) {
            if (ids[i] != 0) {
                continue;
            }
            const auto kind = to_string(keys[i].kind);
            if (auto it =
                    m_cache.find(cache_key(keys[i].source, kind, keys[i].asset, keys[i].metric));
                it != m_cache.end()) {
                ids[i] = it->second;
            } else {
                sources.push_back(keys[i].source);
                kinds.emplace_back(kind);
                assets.push_back(keys[i].asset);
                metrics.push_back(keys[i].metric);
                units.push_back(keys[i].unit);
            }
        }
    };
    collect_missing();
    // Two passes at most: a series created by a concurrent writer after this statement's
    // snapshot is skipped by ON CONFLICT and invisible to the SELECT until the next statement.
    for (int pass = 0; pass < 2 && !sources.empty(); ++pass) {
        const auto r = m_conn.exec(R"(
            WITH k AS (SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[],
                                            $5::text[]) AS k(source, kind, asset, metric, unit)),
                 ins AS (INSERT INTO series (source, kind, asset, metric, unit)
                         SELECT source, kind, asset, metric, nullif(unit, '') FROM k
                         ON CONFLICT (source, kind, asset, metric) DO NOTHING
                         RETURNING series_id, source, kind, asset, metric)
            SELECT series_id, source, kind, asset, metric FROM ins
            UNION ALL
            SELECT s.series_id, s.source, s.kind, s.asset, s.metric
              FROM series s JOIN k USING (source, kind, asset, metric))",
                                   {db::array_literal(sources),
                                    db::array_literal(kinds),
                                    db::array_literal(assets),
                                    db::array_literal(metrics),
                                    db::array_literal(units)});
        for (int row = 0; row < r.rows(); ++row) {
            m_cache[cache_key(r.get(row, 1), r.get(row, 2), r.get(row, 3), r.get(row, 4))] =
                static_cast<int32_t>(r.get_int(row, 0));
        }
        collect_missing();
    }
    if (!sources.empty()) {
        throw core::Error(fmt::format(
            "could not create series {}/{} {}/{}", sources[0], kinds[0], assets[0], metrics[0]));
    }
    return ids;
}

} // namespace store
