// libFuzzer target: every DefiLlama parser on arbitrary bytes. The first byte picks the parser.
// A parser may reject its input with core::Error (a DataError naming the JSON path); anything
// else — a crash, a leak, undefined behaviour, another exception — is a finding.
#include <tm/core/error.hpp>
#include <tm/sources/defillama/parse.hpp>

#include <cstddef>
#include <cstdint>

using namespace sources::defillama;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) {
        return 0;
    }
    std::string body(reinterpret_cast<const char*>(data + 1), size - 1);
    const core::Time ts = core::from_unix_seconds(1'710'300'000);
    store::Batch out;
    Assets assets;
    try {
        switch (data[0] % 20) {
        case 0:
            parse_protocols(body, ts, out, assets);
            break;
        case 1:
            parse_chains(body, ts, out, assets);
            break;
        case 2:
            parse_protocol_history(body, "aave", out);
            break;
        case 3:
            parse_chain_history(body, "ethereum", out);
            break;
        case 4:
            parse_overview(body, "FEES_24H", "CHAIN_FEES_24H", ts, out);
            break;
        case 5:
            parse_dimension_chart(body, "aave", "FEES_24H", out);
            break;
        case 6:
            parse_inflows(body, "aave", ts, out);
            break;
        case 7:
            parse_stablecoins(body, ts, out, assets);
            break;
        case 8:
            parse_stablecoin_chains(body, ts, out);
            break;
        case 9:
            parse_stablecoin_chart(body, "usdt", "STABLECOIN_SUPPLY", out);
            break;
        case 10:
            parse_pools(body, ts, out, assets);
            break;
        case 11:
            parse_lend_borrow(body, ts, out);
            break;
        case 12:
            parse_pool_chart(body, "pool-1", out);
            break;
        case 13:
            parse_lend_borrow_chart(body, "pool-1", out);
            break;
        case 14:
            parse_bridges(body, ts, out, assets);
            break;
        default:
            parse_bridge_volume(body, "stargate", out);
            break;
        }
    } catch (const core::Error&) {
    }
    return 0;
}
