#pragma once

#include <tm/db/connection.hpp>
#include <tm/notify/channel.hpp>

#include <memory>
#include <string>
#include <vector>

namespace notify {

struct Dispatched {
    long long events = 0;    // events that were due
    long long delivered = 0; // (event, channel) deliveries made by this run
    long long settled = 0;   // events every channel now has
    std::vector<std::string> errors;
};

// Sends every pending alert event (rules::pending_events) to each channel that does not have it
// yet, records each delivery, and marks an event notified once every channel has it. A failed
// delivery stays pending for the next run: at least once, never lost. With no channel, nothing
// is sent or marked.
Dispatched dispatch(db::Connection& conn, const std::vector<std::unique_ptr<Channel>>& channels);

} // namespace notify
