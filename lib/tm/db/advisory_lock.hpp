#pragma once

#include <tm/db/connection.hpp>

#include <chrono>
#include <string>

namespace db {

// Session-level pg_try_advisory_lock keyed by a name ("tm:source:defillama"). Released on
// destruction or when the connection ends, so a killed run never leaves it held.
class AdvisoryLock {
public:
    AdvisoryLock(Connection& conn, std::string name);
    ~AdvisoryLock();
    AdvisoryLock(const AdvisoryLock&) = delete;
    AdvisoryLock& operator=(const AdvisoryLock&) = delete;

    // True when this session now holds the lock; false when another session does.
    bool try_acquire();
    // Waits up to `timeout` for the lock (in the server's queue: first come, first served); true
    // when this session now holds it. Call outside a transaction.
    bool acquire(std::chrono::milliseconds timeout);
    // Backend pid of the session holding the lock, or 0 if none (or it just ended).
    int holder_pid();

private:
    Connection& m_conn;
    std::string m_name;
    bool m_held = false;
};

} // namespace db
