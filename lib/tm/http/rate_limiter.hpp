#pragma once

#include <chrono>

namespace http {

using SteadyTime = std::chrono::steady_clock::time_point;
using std::chrono::microseconds;

// A token bucket measured in request weight per minute. Sources that weigh requests
// (Hyperliquid, Binance) spend more than 1 per request; the rest spend 1.
class TokenBucket {
public:
    // `per_minute` tokens refill evenly over each minute; at most `burst` accumulate.
    TokenBucket(double per_minute, double burst, SteadyTime now);

    // Spends `weight` tokens and returns zero if they are available at `now`; otherwise spends
    // nothing and returns how long to wait until they will be. A weight above the burst size is
    // charged as a full bucket, so it waits for a full bucket instead of forever.
    microseconds acquire(double weight, SteadyTime now);

    // Spends `weight` more tokens now, possibly into debt: for costs known only after the
    // response (Hyperliquid charges one more per 20 rows returned). Later requests wait it off.
    void charge(double weight, SteadyTime now);

    double per_minute() const { return m_per_minute; }

private:
    void refill(SteadyTime now);

    double m_per_minute;
    double m_burst;
    double m_tokens;
    SteadyTime m_last;
};

} // namespace http
