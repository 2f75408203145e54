// libFuzzer target: the Binance, Kraken and Coinbase parsers on arbitrary bytes; the first
// byte picks a ticker parser, and the pair and symbol lists and error readers see every body.
#include <tm/core/error.hpp>
#include <tm/sources/binance/binance.hpp>
#include <tm/sources/coinbase/coinbase.hpp>
#include <tm/sources/kraken/kraken.hpp>

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) {
        return 0;
    }
    std::string body(reinterpret_cast<const char*>(data + 1), size - 1);
    store::Batch out;
    int64_t last_ms = 0;
    const std::map<std::string, std::string, std::less<>> asked = {{"XXBTZUSD", "XBTUSD"},
                                                                   {"XBTUSD", "XBTUSD"}};
    std::vector<std::string> answered, ignored;
    http::Response response;
    response.status = 200;
    response.body = body;
    std::string pairs = body, symbols = body, products = body;
    try {
        switch (data[0] % 4) {
        case 0:
            sources::binance::parse_tickers(body, out);
            break;
        case 1:
            sources::binance::parse_klines(body, "BTCUSDT", "1d", out, last_ms);
            break;
        case 2:
            sources::kraken::parse_ticker(
                body, asked, core::from_unix_seconds(1'710'300'000), out, answered, ignored);
            break;
        default:
            sources::coinbase::parse_ticker(body, "BTC-USD", out);
            break;
        }
    } catch (const core::Error&) {
    }
    for (auto* list : {&pairs, &symbols, &products}) {
        try {
            if (list == &pairs) {
                sources::kraken::parse_asset_pairs(*list);
            } else if (list == &symbols) {
                sources::binance::parse_symbols(*list);
            } else {
                sources::coinbase::parse_products(*list);
            }
        } catch (const core::Error&) {
        }
    }
    sources::kraken::body_error(response);
    sources::binance::error_code(response);
    return 0;
}
