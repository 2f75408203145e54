#pragma once

#include <tm/http/client.hpp>
#include <tm/rules/alert_event.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

// Where alert events go: Slack, a generic webhook, an alert log file.
namespace notify {

using Events = std::vector<const rules::AlertEvent*>;

class Channel {
public:
    virtual ~Channel() = default;
    // "slack", "webhook", "log": the name deliveries are recorded under.
    virtual std::string_view name() const = 0;
    // Delivers `events` in order; returns per event whether it arrived (a 2xx, a written
    // line). Appends one line per failure to `errors`, with no secret in it.
    virtual std::vector<bool> deliver(const Events& events, std::vector<std::string>& errors) = 0;
};

// A Slack incoming webhook: one message per event, or one message for all of them when more
// than `k_slack_handful` are due at once.
inline constexpr size_t k_slack_handful = 5;
std::unique_ptr<Channel> make_slack(std::string url, http::Client& http);

// The one Slack message for many events: the counts per severity, then up to 40 events, most
// urgent first (openings by severity, then resolutions), then what was left out, counted.
std::string slack_digest(const Events& events);

// POSTs each event as a JSON object; with a secret, X-Tm-Signature: sha256=HMAC(secret, body).
std::unique_ptr<Channel> make_webhook(std::string url, std::string secret, http::Client& http);

// Appends one line per event to `path`, created owner-only (0600).
std::unique_ptr<Channel> make_alert_log(std::string path);

// One line for people: "opened critical tvl_drop defillama/aave/TVL: TVL down 25.0% vs 24h
// earlier (value 75000000, baseline 100000000, change -25.0%) at 2024-03-13T10:00:00Z".
std::string describe(const rules::AlertEvent& event);

// The part of describe() after the target: message, value, baseline, change, time.
std::string details(const rules::AlertEvent& event);

// The event as one JSON object, for programs.
std::string to_json(const rules::AlertEvent& event);

} // namespace notify
