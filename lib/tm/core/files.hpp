#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>

namespace core::files {

// Writes `content` to `path` through a temporary file in the same directory and a rename, so
// readers see the old file or the new one, never half of it. Throws core::Error.
void write_atomically(const std::string& path, std::string_view content, mode_t mode = 0644);

// The whole file, or nullopt when it does not exist. Throws core::Error on other failures.
std::optional<std::string> read_if_exists(const std::string& path);

// The whole file. Throws core::Error naming `path` when it cannot be read.
std::string read(const std::string& path);

} // namespace core::files
