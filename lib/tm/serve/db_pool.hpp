#pragma once

#include <tm/db/target.hpp>

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

namespace serve {

// A few database connections that requests take turns on, so a request costs its queries and
// not a new server process. At most `max` are open; a request waits for a free one.
class DbPool {
public:
    DbPool(db::Target target, std::size_t max);

    // Runs `work` on a pooled connection inside its own read-only transaction with a 15 s
    // statement timeout. A lost connection means the server went away (a restart): the idle
    // ones are dropped with it, and when the lost one had been reused, `work` runs once more on
    // a new connection (it only reads, so running it again is safe). Throws what `work` throws,
    // db::Unreachable and db::DbError.
    void run(const std::function<void(db::Connection&)>& work);

    std::size_t open() const;

private:
    struct Lease {
        std::unique_ptr<db::Connection> conn;
        bool reused = false;
    };
    Lease acquire();
    void give_back(std::unique_ptr<db::Connection> conn);
    void forget(bool drop_idle);

    db::Target m_target;
    std::size_t m_max;
    mutable std::mutex m_mutex;
    std::condition_variable m_freed;
    std::vector<std::unique_ptr<db::Connection>> m_idle;
    std::size_t m_open = 0; // idle + in use + being opened
};

} // namespace serve
