#include <tm/serve/db_pool.hpp>

#include <utility>

namespace serve {

namespace {

// Ends the transaction a failed request left open; true when the connection is fit for the next
// request (not lost, not stuck in the middle of a result).
bool roll_back(db::Connection& conn) {
    if (!conn.alive()) {
        return false;
    }
    PQclear(PQexec(conn.raw(), "ROLLBACK"));
    return conn.alive() && PQtransactionStatus(conn.raw()) == PQTRANS_IDLE;
}

} // namespace

DbPool::DbPool(db::Target target, std::size_t max) : m_target(std::move(target)), m_max(max) {}

std::size_t DbPool::open() const {
    std::lock_guard lock(m_mutex);
    return m_open;
}

DbPool::Lease DbPool::acquire() {
    std::unique_lock lock(m_mutex);
    m_freed.wait(lock, [this] { return !m_idle.empty() || m_open < m_max; });
    if (!m_idle.empty()) {
        // The most recently used: its server process is warm.
        auto conn = std::move(m_idle.back());
        m_idle.pop_back();
        return {std::move(conn), true};
    }
    ++m_open;
    lock.unlock();
    try {
        auto conn = std::make_unique<db::Connection>(db::connect(m_target));
        // So an admin can tell tm serve's connections apart in pg_stat_activity.
        conn->exec("SET application_name = 'tm serve'");
        return {std::move(conn), false};
    } catch (...) {
        forget(false);
        throw;
    }
}

void DbPool::give_back(std::unique_ptr<db::Connection> conn) {
    {
        std::lock_guard lock(m_mutex);
        m_idle.push_back(std::move(conn));
    }
    m_freed.notify_one();
}

// One connection in use is gone; with `drop_idle`, the idle ones too.
void DbPool::forget(bool drop_idle) {
    std::vector<std::unique_ptr<db::Connection>> dropped;
    {
        std::lock_guard lock(m_mutex);
        --m_open;
        if (drop_idle) {
            dropped.swap(m_idle);
            m_open -= dropped.size();
        }
    }
    m_freed.notify_all();
}

void DbPool::run(const std::function<void(db::Connection&)>& work) {
    for (int attempt = 0;; ++attempt) {
        Lease lease = acquire();
        db::Connection& conn = *lease.conn;
        try {
            // No JIT: tm serve's queries are short, and compiling them cost more than running
            // them (1.9 s of JIT for a 0.2 s feed-status query on a 20M-point store).
            conn.exec("BEGIN READ ONLY; SET LOCAL statement_timeout = '15s'; SET LOCAL jit = off");
            work(conn);
            conn.exec("COMMIT");
        } catch (const db::DbError& e) {
            const bool lost = e.code() == core::ExitCode::db_unreachable || !conn.alive();
            if (!lost) {
                if (roll_back(conn)) {
                    give_back(std::move(lease.conn));
                } else {
                    forget(false);
                }
                throw;
            }
            forget(true);
            if (lease.reused && attempt == 0) {
                continue;
            }
            throw;
        } catch (...) {
            if (roll_back(conn)) {
                give_back(std::move(lease.conn));
            } else {
                forget(!conn.alive());
            }
            throw;
        }
        give_back(std::move(lease.conn));
        return;
    }
}

} // namespace serve
