#include <tm/core/log.hpp>
#include <tm/json/reader.hpp>
#include <tm/sources/source.hpp>

#include <fmt/format.h>

#include <cstdlib>

namespace sources {

void PullContext::fetch(http::Request request, std::string asset, Parser parse) {
    const std::string label = request.label;
    m_http.submit(
        std::move(request),
        [this, label, asset = std::move(asset), parse = std::move(parse)](http::Response&& r) {
            const std::string& what = label;
            auto fail = [&](const std::string& error) {
                core::log::warn("{}: {}", what, error);
                m_errors.push_back({asset, what, error});
                ++m_failed;
            };
            if (!r.ok()) {
                fail(r.describe());
                return;
            }
            if (r.body.empty()) {
                fail(fmt::format("HTTP {} with an empty body", r.status));
                return;
            }
            store::Batch batch;
            std::vector<store::Asset> assets;
            try {
                parse(r.body, batch, assets);
            } catch (const core::Error& e) {
                fail(e.what());
                return;
            }
            core::log::debug("{}: {} points", what, batch.size());
            m_points.append(batch);
            m_assets.insert(m_assets.end(),
                            std::make_move_iterator(assets.begin()),
                            std::make_move_iterator(assets.end()));
            ++m_succeeded;
        });
}

std::string base_url(const std::string& env_var, const std::string& fallback) {
    std::string url = fallback;
    if (const char* v = std::getenv(env_var.c_str()); v != nullptr && *v != '\0') {
        url = v;
        if (!url.starts_with("http://") && !url.starts_with("https://")) {
            throw core::UsageError(
                fmt::format("{}='{}' is not an http(s) URL; use e.g. {}", env_var, url, fallback));
        }
    }
    while (url.ends_with('/')) {
        url.pop_back();
    }
    return url;
}

} // namespace sources
