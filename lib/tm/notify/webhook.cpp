#include <tm/notify/channel.hpp>
#include <tm/notify/hmac_sha256.hpp>
#include <tm/notify/post.hpp>

#include <fmt/format.h>

namespace notify {
namespace {

class Webhook final : public Channel {
public:
    Webhook(std::string url, std::string secret, http::Client& http)
        : m_url(std::move(url)), m_secret(std::move(secret)), m_http(http) {}

    std::string_view name() const override { return "webhook"; }

    std::vector<bool> deliver(const Events& events, std::vector<std::string>& errors) override {
        std::vector<std::string> bodies;
        std::vector<http::Headers> headers;
        for (const auto* e : events) {
            bodies.push_back(to_json(*e));
            // A receiver may see an event twice (delivery is at-least-once); the id tells.
            http::Headers h = {{"X-Tm-Event", e->event},
                               {"X-Tm-Delivery", fmt::format("{}-{}", e->alert_id, e->event)}};
            if (!m_secret.empty()) {
                h.emplace_back("X-Tm-Signature",
                               fmt::format("sha256={}", hmac_sha256_hex(m_secret, bodies.back())));
            }
            headers.push_back(std::move(h));
        }
        const auto responses = post_json(m_http, m_url, bodies, headers, "POST webhook");
        std::vector<bool> ok(events.size(), false);
        for (size_t i = 0; i < responses.size(); ++i) {
            ok[i] = responses[i].ok();
            if (!ok[i]) {
                errors.push_back(fmt::format("webhook: {} for alert {} ({}); sent again next run",
                                             responses[i].describe(),
                                             events[i]->alert_id,
                                             events[i]->event));
            }
        }
        return ok;
    }

private:
    std::string m_url;
    std::string m_secret;
    http::Client& m_http;
};

} // namespace

std::unique_ptr<Channel> make_webhook(std::string url, std::string secret, http::Client& http) {
    return std::make_unique<Webhook>(std::move(url), std::move(secret), http);
}

} // namespace notify
