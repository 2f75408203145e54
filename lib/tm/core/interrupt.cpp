#include <tm/core/error.hpp>
#include <tm/core/interrupt.hpp>

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <thread>

namespace core::interrupt {
namespace {

// Lock-free, so reading and writing it in a signal handler is defined.
std::atomic<int> g_signal{0};
static_assert(std::atomic<int>::is_always_lock_free);
int g_pipe[2] = {-1, -1};

extern "C" void on_signal(int signal) {
    const int saved = errno; // the interrupted code may be about to read errno
    int expected = 0;
    g_signal.compare_exchange_strong(expected, signal);
    if (g_pipe[1] >= 0) {
        const char byte = 1;
        // Non-blocking: a full pipe already wakes every poll, so a failed write loses nothing.
        [[maybe_unused]] const ssize_t n = ::write(g_pipe[1], &byte, 1);
    }
    errno = saved;
}

void handle(int signal) {
    struct sigaction old {};
    if (::sigaction(signal, nullptr, &old) == 0 && old.sa_handler == SIG_IGN) {
        return;
    }
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    ::sigemptyset(&sa.sa_mask);
    // SA_RESTART: reads and writes elsewhere go on; SA_RESETHAND: a second signal kills.
    sa.sa_flags = SA_RESTART | SA_RESETHAND;
    ::sigaction(signal, &sa, nullptr);
}

} // namespace

void install() {
    if (g_pipe[0] < 0 && ::pipe2(g_pipe, O_NONBLOCK | O_CLOEXEC) != 0) {
        g_pipe[0] = g_pipe[1] = -1; // without the pipe, loops notice within their poll timeout
    }
    handle(SIGINT);
    handle(SIGTERM);
}

int received() {
    return g_signal.load();
}

void check() {
    if (const int signal = received(); signal != 0) {
        throw Interrupted(signal);
    }
}

int wake_fd() {
    return g_pipe[0];
}

void wait(std::chrono::milliseconds timeout) {
    if (received() != 0) {
        return;
    }
    if (g_pipe[0] < 0) {
        std::this_thread::sleep_for(timeout);
        return;
    }
    pollfd pfd{g_pipe[0], POLLIN, 0};
    ::poll(&pfd, 1, static_cast<int>(timeout.count()));
}

void sleep_until(std::chrono::steady_clock::time_point t) {
    using std::chrono::steady_clock;
    for (auto now = steady_clock::now(); now < t; now = steady_clock::now()) {
        check();
        wait(std::chrono::ceil<std::chrono::milliseconds>(t - now));
    }
    check();
}

} // namespace core::interrupt
