// libFuzzer target: the Artemis response parser on arbitrary bytes (see fuzz_defillama.cpp).
#include <tm/core/error.hpp>
#include <tm/sources/artemis/parse.hpp>

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string body(reinterpret_cast<const char*>(data), size);
    store::Batch out;
    std::vector<sources::artemis::Skipped> skipped;
    try {
        sources::artemis::parse_metrics(body, out, skipped);
    } catch (const core::Error&) {
    }
    return 0;
}
