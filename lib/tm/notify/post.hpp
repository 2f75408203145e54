#pragma once

#include <tm/http/client.hpp>

#include <string>
#include <vector>

namespace notify {

// POSTs each JSON body to `url` (retried per the client's policy) and returns the final
// responses in the order of `bodies`. `headers[i]` go with `bodies[i]`; `label` names the
// target in logs without its URL, which is a secret. When a signal stops the client
// (core::Interrupted), the responses that did not arrive say so and the rest are returned.
std::vector<http::Response> post_json(http::Client& http,
                                      const std::string& url,
                                      const std::vector<std::string>& bodies,
                                      const std::vector<http::Headers>& headers,
                                      const std::string& label);

} // namespace notify
