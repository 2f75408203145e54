#include <tm/core/interrupt.hpp>
#include <tm/notify/dispatch.hpp>
#include <tm/rules/lifecycle.hpp>

#include <fmt/format.h>

#include <algorithm>

namespace notify {

Dispatched dispatch(db::Connection& conn, const std::vector<std::unique_ptr<Channel>>& channels) {
    Dispatched out;
    if (channels.empty()) {
        return out;
    }
    std::vector<rules::AlertEvent> events = rules::pending_events(conn);
    out.events = static_cast<long long>(events.size());
    std::vector<std::string> ids, kinds, names;
    for (const auto& channel : channels) {
        if (core::interrupt::received() != 0) {
            break; // stopping: record what was delivered, send nothing more
        }
        const std::string name(channel->name());
        Events due;
        std::vector<rules::AlertEvent*> due_events;
        for (auto& e : events) {
            if (std::find(e.delivered_to.begin(), e.delivered_to.end(), name)
                == e.delivered_to.end()) {
                due.push_back(&e);
                due_events.push_back(&e);
            }
        }
        if (due.empty()) {
            continue;
        }
        const std::vector<bool> arrived = channel->deliver(due, out.errors);
        for (size_t i = 0; i < due.size(); ++i) {
            if (arrived[i]) {
                ids.push_back(std::to_string(due[i]->alert_id));
                kinds.push_back(due[i]->event);
                names.push_back(name);
                due_events[i]->delivered_to.push_back(name);
                ++out.delivered;
            }
        }
    }
    std::vector<std::string> opened, resolved;
    for (const auto& e : events) {
        const bool everywhere = std::all_of(channels.begin(), channels.end(), [&](const auto& c) {
            return std::find(e.delivered_to.begin(), e.delivered_to.end(), c->name())
                   != e.delivered_to.end();
        });
        if (everywhere) {
            (e.event == "opened" ? opened : resolved).push_back(std::to_string(e.alert_id));
            ++out.settled;
        }
    }
    db::Transaction tx(conn);
    if (!ids.empty()) {
        conn.exec("INSERT INTO alert_deliveries (alert_id, event, channel) SELECT * FROM "
                  "unnest($1::bigint[], $2::text[], $3::text[]) ON CONFLICT DO NOTHING",
                  {db::array_literal(ids), db::array_literal(kinds), db::array_literal(names)});
    }
    conn.exec("UPDATE alerts SET notified_at = now() WHERE alert_id = ANY ($1::bigint[])",
              {db::array_literal(opened)});
    conn.exec("UPDATE alerts SET resolve_notified_at = now() WHERE alert_id = ANY ($1::bigint[])",
              {db::array_literal(resolved)});
    tx.commit();
    return out;
}

} // namespace notify
