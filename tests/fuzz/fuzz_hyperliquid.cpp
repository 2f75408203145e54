// libFuzzer target: the Hyperliquid parsers on arbitrary bytes; the first byte picks one, and
// the perp dex list and a builder dex's contexts see every body too.
#include <tm/core/error.hpp>
#include <tm/sources/hyperliquid/parse.hpp>

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) {
        return 0;
    }
    std::string body(reinterpret_cast<const char*>(data + 1), size - 1);
    const core::Time ts = core::from_unix_seconds(1'710'300'000);
    store::Batch out;
    std::vector<store::Asset> assets;
    int64_t last_ms = 0;
    std::string copy = body;
    std::string dex_copy = body;
    try {
        switch (data[0] % 3) {
        case 0:
            sources::hyperliquid::parse_asset_contexts(body, ts, out, assets);
            break;
        case 1:
            sources::hyperliquid::parse_predicted_fundings(body, ts, out);
            break;
        default:
            sources::hyperliquid::parse_funding_history(body, out, last_ms);
            break;
        }
    } catch (const core::Error&) {
    }
    try {
        sources::hyperliquid::parse_perp_dexs(copy);
    } catch (const core::Error&) {
    }
    try {
        sources::hyperliquid::parse_asset_contexts(dex_copy, ts, out, assets, "xyz");
    } catch (const core::Error&) {
    }
    return 0;
}
