#pragma once

#include <sys/types.h>

#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

namespace core::files {

// A file written under a temporary name in its directory and renamed into place by commit(),
// so readers see the old file or the whole new one; dropped if never committed. A file it
// replaces keeps its mode (and owner and group where allowed); a new one gets `mode` less the
// umask, as the shell's > would. Throws core::Error naming the path.
class AtomicFile {
public:
    explicit AtomicFile(std::string path, mode_t mode = 0666);
    ~AtomicFile();
    AtomicFile(const AtomicFile&) = delete;
    AtomicFile& operator=(const AtomicFile&) = delete;

    std::FILE* stream() { return m_stream; }
    // Flushes, fsyncs and renames over `path`.
    void commit();

private:
    std::string m_path;
    std::string m_tmp;
    std::FILE* m_stream = nullptr;
};

// Writes `content` to `path` through a temporary file in the same directory and a rename, so
// readers see the old file or the new one, never half of it; modes as AtomicFile. Throws
// core::Error.
void write_atomically(const std::string& path, std::string_view content, mode_t mode = 0666);

// The whole file, or nullopt when it does not exist. Throws core::Error on other failures.
std::optional<std::string> read_if_exists(const std::string& path);

// The whole file. Throws core::Error naming `path` when it cannot be read.
std::string read(const std::string& path);

} // namespace core::files
