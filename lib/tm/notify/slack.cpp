#include <tm/core/strings.hpp>
#include <tm/notify/channel.hpp>
#include <tm/notify/post.hpp>

#include <fmt/format.h>

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
            std::string text = fmt::format("*tm detect: {} alert events*", events.size());
            for (size_t i = 0; i < events.size() && i < k_batch_lines; ++i) {
                text += fmt::format(
                    "\n{} — {}", headline(*events[i]), slack_escape(details(*events[i])));
            }
            if (events.size() > k_batch_lines) {
                text +=
                    fmt::format("\n… and {} more (tm query alerts)", events.size() - k_batch_lines);
            }
            bodies.push_back(message_body(text));
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

std::unique_ptr<Channel> make_slack(std::string url, http::Client& http) {
    return std::make_unique<Slack>(std::move(url), http);
}

} // namespace notify
