// libFuzzer target: the Artemis response parsers on arbitrary bytes (see fuzz_defillama.cpp):
// the data envelope and the symbol list, each on the whole input.
#include <tm/core/error.hpp>
#include <tm/sources/artemis/parse.hpp>

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string body(reinterpret_cast<const char*>(data), size);
    store::Batch out;
    std::vector<sources::artemis::Skipped> skipped;
    std::vector<std::string> answered;
    std::string copy = body;
    try {
        sources::artemis::parse_metrics(
            body, out, skipped, sources::artemis::default_kind, &answered);
    } catch (const core::Error&) {
    }
    try {
        sources::artemis::parse_symbol_list(copy);
    } catch (const core::Error&) {
    }
    return 0;
}
