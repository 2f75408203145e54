#include <tm/core/log.hpp>
#include <tm/core/strings.hpp>
#include <tm/core/time.hpp>
#include <tm/jobs/progress.hpp>

#include <fmt/format.h>

#include <algorithm>

namespace jobs {

std::string progress_text(const ProgressFigures& f) {
    const long total = std::max(f.total, f.done);
    const double rate =
        f.elapsed_seconds > 0 ? static_cast<double>(f.points) / f.elapsed_seconds : 0;
    const std::string eta = f.done > 0
                                ? core::format_age(f.elapsed_seconds / static_cast<double>(f.done)
                                                   * static_cast<double>(total - f.done))
                                : "?";
    return fmt::format("backfill: {}/{} requests, {} points, {} points/s, ETA {}",
                       f.done,
                       total,
                       core::strings::group_thousands(f.points),
                       core::strings::group_thousands(static_cast<long long>(rate)),
                       eta);
}

Progress::Progress(ProgressMode mode, std::chrono::milliseconds interval)
    : m_mode(mode),
      m_interval(mode == ProgressMode::terminal ? std::chrono::milliseconds{200} : interval) {}

Progress::~Progress() {
    if (m_drawn) {
        core::log::end_status();
    }
}

void Progress::update(long done, long total, long long points) {
    if (m_mode != ProgressMode::off && Clock::now() - m_last >= m_interval) {
        show(done, total, points);
    }
}

void Progress::finish(long done, long total, long long points) {
    if (m_mode == ProgressMode::terminal) {
        show(done, total, points);
    }
}

void Progress::show(long done, long total, long long points) {
    m_last = Clock::now();
    const std::string text = progress_text(
        {done, total, points, std::chrono::duration<double>(m_last - m_start).count()});
    if (m_mode == ProgressMode::terminal) {
        core::log::set_status(text);
        m_drawn = true;
    } else {
        core::log::info("{}", text);
    }
}

} // namespace jobs
