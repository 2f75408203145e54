#pragma once

#include <chrono>

// SIGINT and SIGTERM as a request to stop at the next safe point (tm pull, backfill, detect):
// the handler only records the signal and wakes poll loops through a self-pipe; the work
// checks between steps and throws core::Interrupted, which cli::run_main turns into exit
// 128 + signal after the journal, the metrics file and the lock are settled.
namespace core::interrupt {

// From now on SIGINT and SIGTERM are recorded instead of ending the process. A signal that
// was ignored when the program started (a background job of a script ignores SIGINT) stays
// ignored. A second signal of the same kind ends the process at once, as it would have
// without this (for a run stuck somewhere no check is reached).
void install();

// The signal received since install() (SIGINT or SIGTERM), or 0.
int received();

// Throws core::Interrupted when a signal was received.
void check();

// A descriptor that becomes readable when a signal arrives, for poll loops (curl_multi_poll's
// extra descriptors); -1 before install().
int wake_fd();

// Waits `timeout`, or less when a signal arrives (then it returns at once, without throwing).
void wait(std::chrono::milliseconds timeout);

// Sleeps until `t`; throws core::Interrupted as soon as a signal arrives.
void sleep_until(std::chrono::steady_clock::time_point t);

} // namespace core::interrupt
