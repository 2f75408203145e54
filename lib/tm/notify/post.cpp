#include <tm/core/error.hpp>
#include <tm/notify/post.hpp>

namespace notify {

std::vector<http::Response> post_json(http::Client& http,
                                      const std::string& url,
                                      const std::vector<std::string>& bodies,
                                      const std::vector<http::Headers>& headers,
                                      const std::string& label) {
    std::vector<http::Response> out(bodies.size());
    for (size_t i = 0; i < bodies.size(); ++i) {
        http::Request r;
        r.method = "POST";
        r.url = url;
        r.body = bodies[i];
        r.label = label;
        r.headers = {{"Content-Type", "application/json"}};
        if (i < headers.size()) {
            r.headers.insert(r.headers.end(), headers[i].begin(), headers[i].end());
        }
        http.submit(std::move(r),
                    [&out, i](http::Response&& response) { out[i] = std::move(response); });
        out[i].transport_error = "not sent";
    }
    try {
        http.run();
    } catch (const core::Interrupted& e) {
        // What arrived must be recorded as delivered, or the next run sends it again: the
        // caller records, then stops (core::interrupt::check).
        for (auto& r : out) {
            if (r.transport_error == "not sent") {
                r.transport_error = e.what();
            }
        }
    }
    return out;
}

} // namespace notify
