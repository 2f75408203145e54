// libFuzzer target: the CoinGecko parsers on arbitrary bytes; the first byte picks a response
// parser, and the id list and error-code readers see every body too.
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
    std::vector<std::string> answered;
    std::string copy = body;
    try {
        if (data[0] % 2 == 0) {
            sources::coingecko::parse_simple_price(
                body, core::from_unix_seconds(1'710'300'000), out, answered);
        } else {
            sources::coingecko::parse_market_chart(body, "bitcoin", out);
        }
    } catch (const core::Error&) {
    }
    try {
        sources::coingecko::parse_coin_list(copy);
    } catch (const core::Error&) {
    }
    sources::coingecko::error_code(copy);
    return 0;
}
