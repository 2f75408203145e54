#include <tm/core/error.hpp>
#include <tm/core/files.hpp>

#include <fmt/format.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace core::files {

AtomicFile::AtomicFile(std::string path, mode_t mode)
    : m_path(std::move(path)), m_tmp(fmt::format("{}.tmp.{}", m_path, ::getpid())) {
    struct stat existing {};
    const bool replacing = ::stat(m_path.c_str(), &existing) == 0 && S_ISREG(existing.st_mode);
    // Replacing a file keeps its mode: created no more open than it (the umask may narrow it),
    // then set exactly, before anything is written.
    const int fd = ::open(m_tmp.c_str(),
                          O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
                          replacing ? existing.st_mode & 0777 : mode);
    bool ok = fd >= 0;
    if (ok && replacing) {
        // Owner and group too where allowed (root's export of someone's file stays theirs);
        // chown clears set-id bits, so the mode comes after it.
        if (::fchown(fd, existing.st_uid, existing.st_gid) != 0) {
            // not allowed: the file becomes ours, with the old mode
        }
        ok = ::fchmod(fd, existing.st_mode & 07777) == 0;
    }
    if (!ok || (m_stream = ::fdopen(fd, "w")) == nullptr) {
        const int err = errno;
        if (fd >= 0) {
            ::close(fd);
            ::unlink(m_tmp.c_str());
        }
        throw Error(fmt::format("cannot write {}: {}", m_path, std::strerror(err)));
    }
}

AtomicFile::~AtomicFile() {
    if (m_stream != nullptr) {
        std::fclose(m_stream);
        ::unlink(m_tmp.c_str());
    }
}

void AtomicFile::commit() {
    std::FILE* f = std::exchange(m_stream, nullptr);
    const bool ok = std::fflush(f) == 0 && ::fsync(::fileno(f)) == 0;
    const int err = errno;
    if (std::fclose(f) != 0 || !ok || ::rename(m_tmp.c_str(), m_path.c_str()) != 0) {
        const int e = ok ? errno : err;
        ::unlink(m_tmp.c_str());
        throw Error(fmt::format("cannot write {}: {}", m_path, std::strerror(e)));
    }
}

void write_atomically(const std::string& path, std::string_view content, mode_t mode) {
    AtomicFile file(path, mode);
    if (std::fwrite(content.data(), 1, content.size(), file.stream()) != content.size()) {
        throw Error(fmt::format("cannot write {}: {}", path, std::strerror(errno)));
    }
    file.commit();
}

std::optional<std::string> read_if_exists(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT) {
            return std::nullopt;
        }
        throw Error(fmt::format("cannot read {}: {}", path, std::strerror(errno)));
    }
    std::string out;
    char buffer[65536];
    ssize_t n = 0;
    while ((n = ::read(fd, buffer, sizeof buffer)) != 0) {
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            const int err = errno;
            ::close(fd);
            throw Error(fmt::format("cannot read {}: {}", path, std::strerror(err)));
        }
        out.append(buffer, static_cast<size_t>(n));
    }
    ::close(fd);
    return out;
}

std::string read(const std::string& path) {
    auto content = read_if_exists(path);
    if (!content) {
        throw Error(fmt::format("cannot read {}: no such file", path));
    }
    return std::move(*content);
}

} // namespace core::files
