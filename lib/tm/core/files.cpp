#include <tm/core/error.hpp>
#include <tm/core/files.hpp>

#include <fmt/format.h>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace core::files {

void write_atomically(const std::string& path, std::string_view content, mode_t mode) {
    const std::string tmp = fmt::format("{}.tmp.{}", path, ::getpid());
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0) {
        throw Error(fmt::format("cannot write {}: {}", path, std::strerror(errno)));
    }
    size_t done = 0;
    while (done < content.size()) {
        const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            const int err = errno;
            ::close(fd);
            ::unlink(tmp.c_str());
            throw Error(fmt::format("cannot write {}: {}", path, std::strerror(err)));
        }
        done += static_cast<size_t>(n);
    }
    if (::fsync(fd) != 0 || ::close(fd) != 0 || ::rename(tmp.c_str(), path.c_str()) != 0) {
        const int err = errno;
        ::unlink(tmp.c_str());
        throw Error(fmt::format("cannot write {}: {}", path, std::strerror(err)));
    }
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
