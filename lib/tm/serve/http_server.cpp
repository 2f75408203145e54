#include <tm/core/log.hpp>
#include <tm/serve/http_server.hpp>

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>

namespace serve {

using Clock = std::chrono::steady_clock;

namespace {

constexpr std::string_view k_end_of_head = "\r\n\r\n";

// Waits up to `timeout` for `events` on `fd`; true when it is ready (or failed: the next read
// or write says how).
bool wait_for(int fd, short events, std::chrono::milliseconds timeout) {
    pollfd p{fd, events, 0};
    const auto deadline = Clock::now() + timeout;
    for (;;) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        const int n = ::poll(&p, 1, static_cast<int>(std::max<long long>(0, left.count())));
        if (n >= 0 || errno != EINTR) {
            return n > 0;
        }
    }
}

void numeric_address(const sockaddr_storage& addr, socklen_t len, std::string& ip, int& port) {
    char host[NI_MAXHOST] = "";
    char service[NI_MAXSERV] = "";
    if (getnameinfo(reinterpret_cast<const sockaddr*>(&addr),
                    len,
                    host,
                    sizeof host,
                    service,
                    sizeof service,
                    NI_NUMERICHOST | NI_NUMERICSERV)
        == 0) {
        ip = host;
        port = std::atoi(service);
    }
}

bool is_get_or_head(std::string_view head) {
    return head.starts_with("GET ") || head.starts_with("HEAD ");
}

} // namespace

struct HttpServer::Conn {
    int fd = -1;
    std::string in;          // received and not yet handled: a partial head, or pipelined requests
    Clock::time_point since; // idle since, or the first byte of the head in `in`
    std::size_t requests = 0;
    bool busy = false;  // a worker has it
    bool eof = false;   // the client closed its side
    bool close = false; // the worker is done with it for good
    std::string remote_ip, local_ip;
    int remote_port = 0, local_port = 0;
};

// One request's view of a connection for httplib: the bytes the loop already read, then the
// socket, each wait bounded by the request timeout.
class HttpServer::RequestStream final : public httplib::Stream {
public:
    RequestStream(Conn& c, std::chrono::milliseconds timeout)
        : m_c(c), m_timeout(timeout), m_deadline(Clock::now() + timeout) {}

    std::size_t consumed() const { return m_pos; }

    bool is_readable() const override {
        return m_pos < m_c.in.size() || wait_for(m_c.fd, POLLIN, left());
    }
    bool is_writable() const override { return wait_for(m_c.fd, POLLOUT, m_timeout); }

    ssize_t read(char* ptr, size_t size) override {
        if (m_pos == m_c.in.size()) {
            const ssize_t got = fill();
            if (got <= 0) {
                return got;
            }
        }
        const std::size_t n = std::min(size, m_c.in.size() - m_pos);
        std::memcpy(ptr, m_c.in.data() + m_pos, n);
        m_pos += n;
        return static_cast<ssize_t>(n);
    }

    ssize_t write(const char* ptr, size_t size) override {
        std::size_t done = 0;
        while (done < size) {
            const ssize_t n = ::send(m_c.fd, ptr + done, size - done, MSG_NOSIGNAL);
            if (n > 0) {
                done += static_cast<std::size_t>(n);
            } else if (n < 0 && errno == EINTR) {
                continue;
            } else if (n < 0 && errno == EAGAIN) {
                if (!wait_for(m_c.fd, POLLOUT, m_timeout)) {
                    return -1;
                }
            } else {
                return -1;
            }
        }
        return static_cast<ssize_t>(size);
    }

    void get_remote_ip_and_port(std::string& ip, int& port) const override {
        ip = m_c.remote_ip;
        port = m_c.remote_port;
    }
    void get_local_ip_and_port(std::string& ip, int& port) const override {
        ip = m_c.local_ip;
        port = m_c.local_port;
    }
    socket_t socket() const override { return m_c.fd; }

private:
    std::chrono::milliseconds left() const {
        return std::chrono::duration_cast<std::chrono::milliseconds>(m_deadline - Clock::now());
    }

    // Appends what the socket has to m_c.in: > 0 bytes, 0 at end of stream, -1 on error or
    // when the request's time is up.
    ssize_t fill() {
        char buffer[16 * 1024];
        for (;;) {
            const ssize_t n = ::recv(m_c.fd, buffer, sizeof buffer, 0);
            if (n > 0) {
                m_c.in.append(buffer, static_cast<std::size_t>(n));
                return n;
            }
            if (n == 0) {
                m_c.eof = true;
                return 0;
            }
            if (errno == EINTR) {
                continue;
            }
            if (errno != EAGAIN || !wait_for(m_c.fd, POLLIN, left())) {
                return -1;
            }
        }
    }

    Conn& m_c;
    std::size_t m_pos = 0;
    std::chrono::milliseconds m_timeout;
    Clock::time_point m_deadline;
};

HttpServer::HttpServer(HttpLimits limits) : m_limits(limits) {
    // SO_REUSEADDR only: httplib's default adds SO_REUSEPORT, with which a second server on the
    // same port would share it silently instead of failing.
    set_socket_options([](socket_t sock) {
        int yes = 1;
        setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    });
    // Only for the Keep-Alive header httplib writes: the limits themselves are this class's.
    set_keep_alive_timeout(static_cast<time_t>(m_limits.idle_timeout.count()));
    set_keep_alive_max_count(m_limits.max_requests_per_connection);
    m_epoll = epoll_create1(EPOLL_CLOEXEC);
    m_wake = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (m_epoll < 0 || m_wake < 0) {
        throw std::system_error(errno, std::generic_category(), "epoll");
    }
}

HttpServer::~HttpServer() {
    for (auto& [fd, c] : m_conns) {
        ::close(fd);
    }
    if (svr_sock_ != INVALID_SOCKET) {
        ::close(svr_sock_);
    }
    ::close(m_wake);
    ::close(m_epoll);
}

bool HttpServer::listen_on(const std::string& host, int port) {
    if (!bind_to_port(host, port)) {
        return false;
    }
    // httplib listens with a queue of 5, which drops connections under a burst of clients;
    // listen() again on a listening socket only changes the queue length (Linux).
    ::listen(svr_sock_, SOMAXCONN);
    fcntl(svr_sock_, F_SETFL, fcntl(svr_sock_, F_GETFL) | O_NONBLOCK);
    return true;
}

void HttpServer::stop_serving() {
    m_stopping = true;
    const uint64_t one = 1;
    [[maybe_unused]] const auto ignored = ::write(m_wake, &one, sizeof one);
}

void HttpServer::serve() {
    for (std::size_t i = 0; i < m_limits.workers; ++i) {
        m_workers.emplace_back([this] { work(); });
    }
    loop();
    {
        std::lock_guard lock(m_mutex);
        m_workers_quit = true;
    }
    m_ready_cv.notify_all();
    for (auto& t : m_workers) {
        t.join();
    }
    m_workers.clear();
}

void HttpServer::loop() {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = m_wake;
    epoll_ctl(m_epoll, EPOLL_CTL_ADD, m_wake, &ev);
    ev.data.fd = svr_sock_;
    epoll_ctl(m_epoll, EPOLL_CTL_ADD, svr_sock_, &ev);
    auto last_sweep = Clock::now();
    bool closed_listener = false;
    epoll_event events[64];
    for (;;) {
        if (m_stopping && !closed_listener) {
            closed_listener = true;
            epoll_ctl(m_epoll, EPOLL_CTL_DEL, svr_sock_, nullptr);
            ::close(svr_sock_);
            svr_sock_ = INVALID_SOCKET;
            std::vector<Conn*> idle;
            for (auto& [fd, c] : m_conns) {
                if (!c->busy) {
                    idle.push_back(c.get());
                }
            }
            for (Conn* c : idle) {
                close_conn(*c);
            }
        }
        if (m_stopping && m_busy == 0) {
            return;
        }
        const int n = epoll_wait(m_epoll, events, 64, m_accepting ? 250 : 50);
        for (int i = 0; i < n; ++i) {
            const int fd = events[i].data.fd;
            if (fd == m_wake) {
                uint64_t count = 0;
                [[maybe_unused]] const auto ignored = ::read(m_wake, &count, sizeof count);
                take_back();
            } else if (fd == svr_sock_) {
                accept_all();
            } else if (const auto it = m_conns.find(fd); it != m_conns.end() && !it->second->busy) {
                on_readable(*it->second);
            }
        }
        const auto now = Clock::now();
        if (now - last_sweep >= std::chrono::milliseconds(100)) {
            last_sweep = now;
            sweep(now);
        }
    }
}

void HttpServer::accept_all() {
    while (m_accepting && !m_stopping) {
        if (m_conns.size() >= m_limits.max_connections && !make_room()) {
            // Every connection is running a request: leave the rest in the listen queue.
            epoll_ctl(m_epoll, EPOLL_CTL_DEL, svr_sock_, nullptr);
            m_accepting = false;
            m_accept_resume = Clock::now() + std::chrono::milliseconds(100);
            return;
        }
        sockaddr_storage peer{};
        socklen_t peer_len = sizeof peer;
        const int fd = accept4(
            svr_sock_, reinterpret_cast<sockaddr*>(&peer), &peer_len, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED || errno == EPROTO) {
                continue;
            }
            if ((errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
                && make_room()) {
                continue;
            }
            if (errno != EAGAIN) {
                core::log::warn("accepting a connection: {}", std::strerror(errno));
                epoll_ctl(m_epoll, EPOLL_CTL_DEL, svr_sock_, nullptr);
                m_accepting = false;
                m_accept_resume = Clock::now() + std::chrono::milliseconds(100);
            }
            return;
        }
        // httplib writes a response's head and body separately: without TCP_NODELAY the body
        // waits for the client's delayed ACK of the head (tens of milliseconds).
        int yes = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
        auto c = std::make_unique<Conn>();
        c->fd = fd;
        c->since = Clock::now();
        numeric_address(peer, peer_len, c->remote_ip, c->remote_port);
        sockaddr_storage local{};
        socklen_t local_len = sizeof local;
        if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_len) == 0) {
            numeric_address(local, local_len, c->local_ip, c->local_port);
        }
        epoll_event ev{};
        ev.events = EPOLLIN | EPOLLRDHUP;
        ev.data.fd = fd;
        epoll_ctl(m_epoll, EPOLL_CTL_ADD, fd, &ev);
        m_conns.emplace(fd, std::move(c));
        m_open = m_conns.size();
    }
}

void HttpServer::on_readable(Conn& c) {
    const std::size_t searched_to = c.in.size();
    char buffer[16 * 1024];
    // No more than a head's worth ahead: a request body stays in the socket for the worker.
    while (!c.eof && c.in.size() <= m_limits.max_head_bytes) {
        const ssize_t n = ::recv(c.fd, buffer, sizeof buffer, 0);
        if (n > 0) {
            if (c.in.empty()) {
                c.since = Clock::now(); // the request timeout starts at its first byte
            }
            c.in.append(buffer, static_cast<std::size_t>(n));
        } else if (n == 0) {
            c.eof = true;
        } else if (errno == EINTR) {
            continue;
        } else if (errno == EAGAIN) {
            break;
        } else {
            close_conn(c);
            return;
        }
    }
    const std::size_t from = searched_to >= 3 ? searched_to - 3 : 0;
    if (c.in.find(k_end_of_head, from) != std::string::npos) {
        dispatch(c);
    } else if (c.eof) {
        close_conn(c);
    } else if (c.in.size() > m_limits.max_head_bytes) {
        constexpr std::string_view too_large = "HTTP/1.1 431 Request Header Fields Too Large\r\n"
                                               "Connection: close\r\nContent-Length: 0\r\n\r\n";
        [[maybe_unused]] const auto ignored =
            ::send(c.fd, too_large.data(), too_large.size(), MSG_NOSIGNAL);
        close_conn(c);
    }
}

void HttpServer::dispatch(Conn& c) {
    epoll_ctl(m_epoll, EPOLL_CTL_DEL, c.fd, nullptr);
    c.busy = true;
    ++m_busy;
    {
        std::lock_guard lock(m_mutex);
        m_ready.push_back(&c);
    }
    m_ready_cv.notify_one();
}

void HttpServer::take_back() {
    std::vector<Conn*> back;
    {
        std::lock_guard lock(m_mutex);
        back.swap(m_returned);
    }
    const auto now = Clock::now();
    for (Conn* c : back) {
        c->busy = false;
        --m_busy;
        if (c->close || m_stopping) {
            close_conn(*c);
            continue;
        }
        c->since = now;
        epoll_event ev{};
        ev.events = EPOLLIN | EPOLLRDHUP;
        ev.data.fd = c->fd;
        epoll_ctl(m_epoll, EPOLL_CTL_ADD, c->fd, &ev);
    }
}

void HttpServer::close_conn(Conn& c) {
    const int fd = c.fd;
    epoll_ctl(m_epoll, EPOLL_CTL_DEL, fd, nullptr);
    ::close(fd);
    m_conns.erase(fd); // destroys c
    m_open = m_conns.size();
    if (!m_accepting && !m_stopping) {
        m_accepting = true;
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.fd = svr_sock_;
        epoll_ctl(m_epoll, EPOLL_CTL_ADD, svr_sock_, &ev);
    }
}

void HttpServer::sweep(Clock::time_point now) {
    std::vector<Conn*> expired;
    for (auto& [fd, c] : m_conns) {
        if (c->busy) {
            continue; // a worker's: not to be read here
        }
        const auto limit = c->in.empty() ? m_limits.idle_timeout : m_limits.request_timeout;
        if (now - c->since >= limit) {
            expired.push_back(c.get());
        }
    }
    for (Conn* c : expired) {
        close_conn(*c);
    }
    if (!m_accepting && !m_stopping && now >= m_accept_resume) {
        m_accepting = true;
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.fd = svr_sock_;
        epoll_ctl(m_epoll, EPOLL_CTL_ADD, svr_sock_, &ev);
    }
}

// Closes the connection that has waited longest without a request; false when every
// connection is running one.
bool HttpServer::make_room() {
    Conn* oldest = nullptr;
    for (auto& [fd, c] : m_conns) {
        if (!c->busy && (oldest == nullptr || c->since < oldest->since)) {
            oldest = c.get();
        }
    }
    if (oldest == nullptr) {
        return false;
    }
    close_conn(*oldest);
    return true;
}

void HttpServer::work() {
    for (;;) {
        Conn* c = nullptr;
        {
            std::unique_lock lock(m_mutex);
            m_ready_cv.wait(lock, [this] { return m_workers_quit || !m_ready.empty(); });
            if (m_ready.empty()) {
                return;
            }
            c = m_ready.front();
            m_ready.pop_front();
        }
        try {
            run_requests(*c);
        } catch (const std::exception& e) {
            core::log::error("HTTP connection from {}: {}", c->remote_ip, e.what());
            c->close = true;
        }
        {
            std::lock_guard lock(m_mutex);
            m_returned.push_back(c);
        }
        const uint64_t one = 1;
        [[maybe_unused]] const auto ignored = ::write(m_wake, &one, sizeof one);
    }
}

// Runs the requests whose heads are complete in c.in (more than one when the client pipelines).
void HttpServer::run_requests(Conn& c) {
    do {
        // A request with a body the route did not read would leave it in the stream: close
        // after any method but GET and HEAD.
        const bool last = ++c.requests >= m_limits.max_requests_per_connection || m_stopping
                          || !is_get_or_head(c.in);
        RequestStream stream(c, m_limits.request_timeout);
        bool client_closes = false;
        const bool ok = process_request(stream, last, client_closes, nullptr);
        c.in.erase(0, stream.consumed());
        if (!ok || last || client_closes || c.eof) {
            c.close = true;
            return;
        }
    } while (c.in.find(k_end_of_head) != std::string::npos);
}

} // namespace serve
