// libFuzzer target: the Binance, Kraken and Coinbase parsers on arbitrary bytes; the first
// byte picks one.
#include <tm/core/error.hpp>
#include <tm/sources/binance/binance.hpp>
#include <tm/sources/coinbase/coinbase.hpp>
#include <tm/sources/kraken/kraken.hpp>

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) {
        return 0;
    }
    std::string body(reinterpret_cast<const char*>(data + 1), size - 1);
    store::Batch out;
    int64_t last_ms = 0;
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
                body, "XBTUSDT", core::from_unix_seconds(1'710'300'000), out);
            break;
        default:
            sources::coinbase::parse_ticker(body, "BTC-USD", out);
            break;
        }
    } catch (const core::Error&) {
    }
    return 0;
}
