#include <tm/core/strings.hpp>
#include <tm/notify/channel.hpp>

#include <fmt/format.h>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace notify {
namespace {

class AlertLog final : public Channel {
public:
    explicit AlertLog(std::string path) : m_path(std::move(path)) {}

    std::string_view name() const override { return "log"; }

    std::vector<bool> deliver(const Events& events, std::vector<std::string>& errors) override {
        std::string text;
        for (const auto* e : events) {
            // One line per event, however the API named things (tail -f shows it on a terminal).
            text += core::strings::terminal_safe(describe(*e));
            text += '\n';
        }
        // O_APPEND writes of one buffer do not interleave with another process's lines.
        const int fd = ::open(m_path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
        bool ok = fd >= 0;
        size_t done = 0;
        while (ok && done < text.size()) {
            const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
            if (n < 0 && errno == EINTR) {
                continue;
            }
            ok = n > 0;
            done += ok ? static_cast<size_t>(n) : 0;
        }
        ok = ok && ::fsync(fd) == 0;
        const int err = errno;
        if (fd >= 0) {
            ::close(fd);
        }
        if (!ok) {
            errors.push_back(fmt::format("alert log {}: {}; the events are written again next run",
                                         m_path,
                                         std::strerror(err)));
        }
        return std::vector<bool>(events.size(), ok);
    }

private:
    std::string m_path;
};

} // namespace

std::unique_ptr<Channel> make_alert_log(std::string path) {
    return std::make_unique<AlertLog>(std::move(path));
}

} // namespace notify
