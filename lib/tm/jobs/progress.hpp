#pragma once

#include <chrono>
#include <string>

namespace jobs {

// Where a long run reports its progress: a status line redrawn in place on a terminal; off a
// terminal (cron, systemd, a pipe) a log line every `interval`; or not at all (-q).
enum class ProgressMode { off, terminal, periodic };

// What a run has done: requests answered of those known so far (`total` grows when a phase
// plans the next requests or a page asks for the next one, and is never below `done`),
// points received, seconds since the start.
struct ProgressFigures {
    long done = 0;
    long total = 0;
    long long points = 0;
    double elapsed_seconds = 0;
};

// "backfill: 125/140 requests, 1,234,567 points, 12,345 points/s, ETA 3m" (ETA "?" before the
// first answer).
std::string progress_text(const ProgressFigures& figures);

class Progress {
public:
    Progress(ProgressMode mode, std::chrono::milliseconds interval);
    ~Progress();
    Progress(const Progress&) = delete;
    Progress& operator=(const Progress&) = delete;

    // Shows `done`/`total` and `points` if it is time to: a few times a second on a terminal,
    // once per interval off one.
    void update(long done, long total, long long points);
    // The last figures: drawn on a terminal whatever the time (off one, the run's summary line
    // follows).
    void finish(long done, long total, long long points);

private:
    void show(long done, long total, long long points);

    using Clock = std::chrono::steady_clock;
    ProgressMode m_mode;
    std::chrono::milliseconds m_interval;
    Clock::time_point m_start = Clock::now();
    Clock::time_point m_last = Clock::now();
    bool m_drawn = false;
};

} // namespace jobs
