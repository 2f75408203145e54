#include <tm/db/advisory_lock.hpp>

namespace db {

AdvisoryLock::AdvisoryLock(Connection& conn, std::string name)
    : m_conn(conn), m_name(std::move(name)) {}

AdvisoryLock::~AdvisoryLock() {
    if (m_held && m_conn.alive()) {
        try {
            m_conn.exec("SELECT pg_advisory_unlock(hashtextextended($1, 0))", {m_name});
        } catch (const std::exception&) {
            // The session ending releases it anyway.
        }
    }
}

bool AdvisoryLock::try_acquire() {
    const auto r = m_conn.exec("SELECT pg_try_advisory_lock(hashtextextended($1, 0))", {m_name});
    m_held = r.get(0, 0) == "t";
    return m_held;
}

bool AdvisoryLock::acquire(std::chrono::milliseconds timeout) {
    if (timeout.count() <= 0) {
        return try_acquire();
    }
    // lock_timeout bounds the wait of pg_advisory_lock like any other lock wait (55P03).
    m_conn.exec("SELECT set_config('lock_timeout', $1, false)",
                {std::to_string(timeout.count()) + "ms"});
    try {
        m_conn.exec("SELECT pg_advisory_lock(hashtextextended($1, 0))", {m_name});
        m_held = true;
    } catch (const DbError& e) {
        if (e.sqlstate() != "55P03") {
            throw;
        }
    }
    m_conn.exec("RESET lock_timeout");
    return m_held;
}

int AdvisoryLock::holder_pid() {
    // A bigint advisory key shows in pg_locks split into classid (high 32 bits) and objid (low).
    const auto r = m_conn.exec(R"(
        SELECT l.pid FROM pg_locks l,
               (SELECT hashtextextended($1, 0) AS k) key
         WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
           AND l.classid::bigint = ((key.k >> 32) & 4294967295)
           AND l.objid::bigint = (key.k & 4294967295)
         LIMIT 1)",
                               {m_name});
    return r.rows() > 0 ? static_cast<int>(r.get_int(0, 0)) : 0;
}

} // namespace db
