#include <tm/core/strings.hpp>
#include <tm/notify/channel.hpp>
#include <tm/notify/post.hpp>

#include <fmt/format.h>

#include <algorithm>

namespace notify {
namespace {

// At most this many events are listed in one batched message; Slack truncates long texts.
constexpr size_t k_batch_lines = 40;

// Slack's mrkdwn treats &, < and > as markup.
std::string slack_escape(std::string_view s) {
    std::string out;
    for (const char c : s) {
        switch (c) {
        case '&':
            out += "&amp;";
            break;
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        default:
            out += c;
        }
    }
    return out;
}

std::string headline(const rules::AlertEvent& e) {
    const char* icon = e.event == "resolved"      ? ":white_check_mark:"
                       : e.severity == "critical" ? ":rotating_light:"
                       : e.severity == "warning"  ? ":warning:"
                                                  : ":information_source:";
    return fmt::format(
        "{} *{}* `{}` ({}) {}", icon, e.event, e.rule, e.severity, slack_escape(e.target()));
}

// Most urgent first: openings before resolutions, critical before warning before info.
int urgency(const rules::AlertEvent& e) {
    const int severity = e.severity == "critical"  ? 0
                         : e.severity == "warning" ? 1
                         : e.severity == "info"    ? 2
                                                   : 3;
    return (e.event == "opened" ? 0 : 4) + severity;
}

// "32 critical, 150 warning, 40 info opened; 3 resolved" over `events`.
std::string counts(const Events& events) {
    std::vector<std::string> parts;
    for (const char* severity : {"critical", "warning", "info"}) {
        const auto n = std::count_if(events.begin(), events.end(), [&](const auto* e) {
            return e->event == "opened" && e->severity == severity;
        });
        if (n > 0) {
            parts.push_back(fmt::format("{} {}", n, severity));
        }
    }
    const auto resolved = std::count_if(
        events.begin(), events.end(), [](const auto* e) { return e->event != "opened"; });
    std::string out = parts.empty() ? "" : fmt::format("{} opened", fmt::join(parts, ", "));
    if (resolved > 0) {
        out += fmt::format("{}{} resolved", out.empty() ? "" : "; ", resolved);
    }
    return out;
}

std::string message_body(const std::string& text) {
    return fmt::format("{{\"text\":\"{}\"}}", core::strings::json_escape(text));
}

class Slack final : public Channel {
public:
    Slack(std::string url, http::Client& http) : m_url(std::move(url)), m_http(http) {}

    std::string_view name() const override { return "slack"; }

    std::vector<bool> deliver(const Events& events, std::vector<std::string>& errors) override {
        std::vector<std::string> bodies;
        if (events.size() > k_slack_handful) {
            bodies.push_back(message_body(slack_digest(events)));
        } else {
            for (const auto* e : events) {
                bodies.push_back(
                    message_body(fmt::format("{}\n{}", headline(*e), slack_escape(details(*e)))));
            }
        }
        const auto responses = post_json(m_http, m_url, bodies, {}, "POST slack webhook");
        std::vector<bool> ok(events.size(), false);
        for (size_t i = 0; i < responses.size(); ++i) {
            const bool arrived = responses[i].ok();
            if (!arrived) {
                errors.push_back(fmt::format("slack: {}; {} will be sent again next run",
                                             responses[i].describe(),
                                             bodies.size() == 1 && events.size() > 1
                                                 ? fmt::format("{} events", events.size())
                                                 : std::string("the event")));
            }
            if (bodies.size() == events.size()) {
                ok[i] = arrived;
            } else {
                std::fill(ok.begin(), ok.end(), arrived);
            }
        }
        return ok;
    }

private:
    std::string m_url;
    http::Client& m_http;
};

} // namespace

std::string slack_digest(const Events& events) {
    Events sorted = events;
    std::stable_sort(sorted.begin(), sorted.end(), [](const auto* a, const auto* b) {
        return urgency(*a) < urgency(*b);
    });
    std::string text =
        fmt::format("*tm detect: {} alert events* ({})", sorted.size(), counts(sorted));
    for (size_t i = 0; i < sorted.size() && i < k_batch_lines; ++i) {
        text += fmt::format("\n{} — {}", headline(*sorted[i]), slack_escape(details(*sorted[i])));
    }
    if (sorted.size() > k_batch_lines) {
        const Events rest(sorted.begin() + k_batch_lines, sorted.end());
        text += fmt::format("\n… and {} more: {} (tm query alerts)", rest.size(), counts(rest));
    }
    return text;
}

std::unique_ptr<Channel> make_slack(std::string url, http::Client& http) {
    return std::make_unique<Slack>(std::move(url), http);
}

} // namespace notify
