#pragma once

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

// cpp-httplib's request parsing and routing behind a front end that does not spend a thread on
// a connection that has no complete request: one epoll loop accepts, holds idle keep-alive
// connections and reads request heads; a fixed pool of workers runs requests whose head has
// arrived whole. cpp-httplib 0.11's own listen() gives each connection a pool thread for as long
// as it stays open, so a few idle clients (or a client that never finishes its head) stall
// everyone else.
namespace serve {

struct HttpLimits {
    std::size_t workers = 4;
    // A keep-alive connection with no request in progress is closed after this.
    std::chrono::seconds idle_timeout{60};
    // From a request's first byte until its head is complete; also the longest wait for one
    // read or write while a worker runs it.
    std::chrono::seconds request_timeout{10};
    std::size_t max_head_bytes = 16 * 1024;
    std::size_t max_requests_per_connection = 1000;
    // Above this, the longest-idle connection is closed to make room for a new one.
    std::size_t max_connections = 1000;
};

class HttpServer : public httplib::Server {
public:
    explicit HttpServer(HttpLimits limits);
    ~HttpServer() override;
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    // Binds `host` (a name, an IPv4 or an IPv6 address) and `port` with a long listen queue.
    // Returns false when it cannot (in use, not an address of this machine).
    bool listen_on(const std::string& host, int port);
    // Serves until stop_serving(); then closes idle connections, finishes the requests in
    // flight (answering them with Connection: close) and returns.
    void serve();
    // Thread-safe; serve() returns soon after.
    void stop_serving();

    std::size_t open_connections() const { return m_open.load(); }

private:
    struct Conn;
    class RequestStream;

    void loop();
    void accept_all();
    void on_readable(Conn& c);
    void dispatch(Conn& c);
    void take_back();
    void close_conn(Conn& c);
    void sweep(std::chrono::steady_clock::time_point now);
    bool make_room();
    void work();
    void run_requests(Conn& c);

    HttpLimits m_limits;
    int m_epoll = -1;
    int m_wake = -1; // eventfd: a worker gave a connection back, or stop_serving()
    std::atomic<bool> m_stopping = false;
    std::atomic<std::size_t> m_open = 0;
    std::unordered_map<int, std::unique_ptr<Conn>> m_conns; // the loop thread's alone
    std::size_t m_busy = 0; // connections handed to workers (loop thread)
    bool m_accepting = true;
    std::chrono::steady_clock::time_point m_accept_resume{};

    std::mutex m_mutex;
    std::condition_variable m_ready_cv;
    std::deque<Conn*> m_ready;     // complete heads waiting for a worker
    std::vector<Conn*> m_returned; // handed back by workers
    bool m_workers_quit = false;
    std::vector<std::thread> m_workers;
};

} // namespace serve
