// libFuzzer target: the rules file parser (TOML) on arbitrary bytes. A bad file must end in
// core::UsageError; nothing else may escape.
#include <tm/core/error.hpp>
#include <tm/rules/rules_file.hpp>

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    try {
        rules::parse_rules(std::string_view(reinterpret_cast<const char*>(data), size),
                           "fuzz.toml");
    } catch (const core::UsageError&) {
    }
    return 0;
}
