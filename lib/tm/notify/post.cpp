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
    }
    http.run();
    return out;
}

} // namespace notify
