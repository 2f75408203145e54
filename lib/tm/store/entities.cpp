#include <tm/core/csv.hpp>
#include <tm/store/asset_kind.hpp>
#include <tm/store/entities.hpp>

#include <fmt/format.h>

#include <set>
#include <tuple>

namespace store {
long long load_entities(db::Connection& conn, std::string_view csv, std::string_view origin) {
    const auto rows = core::csv::parse(csv, origin);
    if (rows.empty()
        || rows.front().fields != std::vector<std::string>{"entity", "source", "kind", "asset"}) {
        throw core::UsageError(
            fmt::format("{}: the first row must be the header entity,source,kind,asset", origin));
    }
    std::vector<std::string> entity, source, kind, asset;
    std::set<std::tuple<std::string, std::string, std::string>> seen;
    for (size_t i = 1; i < rows.size(); ++i) {
        const auto& r = rows[i];
        const auto where = fmt::format("{}:{}: ", origin, r.line);
        if (r.fields.size() != 4 || r.fields[0].empty() || r.fields[1].empty()
            || r.fields[3].empty()) {
            throw core::UsageError(where + "expected entity,source,kind,asset, none empty");
        }
        if (!asset_kind_named(r.fields[2])) {
            throw core::UsageError(
                fmt::format("{}unknown kind '{}' ({})", where, r.fields[2], asset_kind_list()));
        }
        if (!seen.insert({r.fields[1], r.fields[2], r.fields[3]}).second) {
            throw core::UsageError(
                fmt::format("{}{} {} {} is already mapped above; an asset belongs to one entity",
                            where,
                            r.fields[1],
                            r.fields[2],
                            r.fields[3]));
        }
        entity.push_back(r.fields[0]);
        source.push_back(r.fields[1]);
        kind.push_back(r.fields[2]);
        asset.push_back(r.fields[3]);
    }
    db::Transaction tx(conn);
    conn.exec("DELETE FROM entities");
    const auto r = conn.exec("INSERT INTO entities (entity, source, kind, asset) "
                             "SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])",
                             {db::array_literal(entity),
                              db::array_literal(source),
                              db::array_literal(kind),
                              db::array_literal(asset)});
    tx.commit();
    return r.affected();
}

} // namespace store
