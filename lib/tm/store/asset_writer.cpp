#include <tm/db/copy_buffer.hpp>
#include <tm/store/asset_writer.hpp>

#include <map>
#include <tuple>

namespace store {

long long write_assets(db::Connection& conn, const std::vector<Asset>& assets) {
    if (assets.empty()) {
        return 0;
    }
    // One row per key, the last description winning, as an upsert cannot touch a row twice.
    std::map<std::tuple<std::string_view, AssetKind, std::string_view>, const Asset*> unique;
    for (const auto& a : assets) {
        unique[{a.source, a.kind, a.asset}] = &a;
    }
    conn.exec(
        "CREATE TEMP TABLE IF NOT EXISTS tm_stage_assets (source text, kind text, asset text, "
        "name text, symbol text, chain text, gecko_id text, extra text)");
    conn.exec("TRUNCATE tm_stage_assets");
    db::BinaryCopyBuffer buffer;
    const auto text_or_null = [&](const std::string& s) {
        if (s.empty()) {
            buffer.add_null();
        } else {
            buffer.add_text(s);
        }
    };
    for (const auto& [key, a] : unique) {
        buffer.start_row(8);
        buffer.add_text(a->source);
        buffer.add_text(to_string(a->kind));
        buffer.add_text(a->asset);
        text_or_null(a->name);
        text_or_null(a->symbol);
        text_or_null(a->chain);
        text_or_null(a->gecko_id);
        text_or_null(a->extra_json);
    }
    buffer.finish();
    conn.copy_in("COPY tm_stage_assets FROM STDIN (FORMAT binary)", buffer.data());
    const auto r = conn.exec(R"(
        INSERT INTO assets (source, kind, asset, name, symbol, chain, gecko_id, extra, updated_at)
        SELECT source, kind, asset, name, symbol, chain, gecko_id, extra::jsonb, now()
          FROM tm_stage_assets
        ON CONFLICT (source, kind, asset) DO UPDATE
           SET name = EXCLUDED.name, symbol = EXCLUDED.symbol, chain = EXCLUDED.chain,
               gecko_id = EXCLUDED.gecko_id, extra = EXCLUDED.extra, updated_at = now()
         WHERE (assets.name, assets.symbol, assets.chain, assets.gecko_id, assets.extra)
               IS DISTINCT FROM
               (EXCLUDED.name, EXCLUDED.symbol, EXCLUDED.chain, EXCLUDED.gecko_id, EXCLUDED.extra))");
    return r.affected();
}

} // namespace store
