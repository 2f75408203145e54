// libFuzzer target: the CSV configurations (config/defillama.csv, the config/artemis.csv
// matrix) on arbitrary bytes; the first byte picks one. They are read from a file, so the input
// is written to one first. A bad file must end in core::UsageError.
#include <tm/core/error.hpp>
#include <tm/core/files.hpp>
#include <tm/sources/artemis/matrix.hpp>
#include <tm/sources/defillama/selection.hpp>

#include <fmt/format.h>

#include <unistd.h>

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) {
        return 0;
    }
    static const std::string path = fmt::format("/tmp/tm-fuzz-config.{}.csv", ::getpid());
    core::files::write_atomically(
        path, std::string_view(reinterpret_cast<const char*>(data + 1), size - 1));
    sources::Selection selection;
    selection.config_file = path;
    try {
        if (data[0] % 2 == 0) {
            sources::defillama::DefiLlamaSelection s(selection, 50);
        } else {
            sources::artemis::Matrix m(selection);
            (void)m.groups();
        }
    } catch (const core::UsageError&) {
    }
    return 0;
}
