// libFuzzer target: the CoinGecko parsers on arbitrary bytes; the first byte picks one.
#include <tm/core/error.hpp>
#include <tm/sources/coingecko/parse.hpp>

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) {
        return 0;
    }
    std::string body(reinterpret_cast<const char*>(data + 1), size - 1);
    store::Batch out;
    try {
        if (data[0] % 2 == 0) {
            sources::coingecko::parse_simple_price(
                body, core::from_unix_seconds(1'710'300'000), out);
        } else {
            sources::coingecko::parse_market_chart(body, "bitcoin", out);
        }
    } catch (const core::Error&) {
    }
    return 0;
}
