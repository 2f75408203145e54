#include <tm/http/rate_limiter.hpp>

#include <algorithm>
#include <cmath>

namespace http {

TokenBucket::TokenBucket(double per_minute, double burst, SteadyTime now)
    : m_per_minute(per_minute), m_burst(std::max(1.0, burst)), m_tokens(m_burst), m_last(now) {}

void TokenBucket::refill(SteadyTime now) {
    if (now <= m_last) {
        return;
    }
    const double elapsed_minutes = std::chrono::duration<double>(now - m_last).count() / 60.0;
    m_tokens = std::min(m_burst, m_tokens + elapsed_minutes * m_per_minute);
    m_last = now;
}

microseconds TokenBucket::acquire(double weight, SteadyTime now) {
    refill(now);
    const double need = std::min(weight, m_burst);
    if (m_tokens >= need) {
        m_tokens -= need;
        return microseconds{0};
    }
    const double missing_minutes = (need - m_tokens) / m_per_minute;
    return microseconds{static_cast<long long>(std::ceil(missing_minutes * 60e6))};
}

void TokenBucket::charge(double weight, SteadyTime now) {
    refill(now);
    m_tokens -= weight;
}

} // namespace http
