#include <tm/core/error.hpp>
#include <tm/core/log.hpp>
#include <tm/core/strings.hpp>
#include <tm/json/reader.hpp>
#include <tm/sources/source.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>

namespace sources {

// Bodies reach the parsers with the padding simdjson reads past their end.
static_assert(http::Response::k_spare >= simdjson::SIMDJSON_PADDING);

namespace {

std::string with_asset(const std::string& request, const std::string& asset) {
    return asset.empty() ? request : fmt::format("{} ({})", request, asset);
}

} // namespace

void RunContext::record_error(std::string asset, std::string request, std::string error) {
    core::log::warn("{}: {}", with_asset(request, asset), error);
    m_errors.push_back({std::move(asset), std::move(request), std::move(error)});
    ++m_failed;
}

void RunContext::record_notice(std::string asset, std::string request, std::string message) {
    // Each window of a backfill would say it again; once per asset and message is enough.
    if (!m_noticed.insert(asset + '\x1f' + message).second) {
        return;
    }
    core::log::info("{}: {}", with_asset(request, asset), message);
    m_errors.push_back({std::move(asset), std::move(request), std::move(message), false});
}

std::vector<std::string> suggestions(const std::string& name,
                                     const std::vector<std::string>& known) {
    // A name listed yet refused (Binance: delisted since the list) is no advice for itself.
    std::vector<std::string> near;
    for (auto& n : core::strings::closest_names(name, known, 4)) {
        if (n != name && near.size() < 3) {
            near.push_back(std::move(n));
        }
    }
    return near;
}

void RunContext::report_unknown(const std::vector<std::string>& unknown,
                                size_t asked,
                                std::string_view what,
                                const std::vector<std::string>& known,
                                const std::string& request) {
    for (const auto& name : unknown) {
        const auto near = suggestions(name, known);
        std::string message = fmt::format("unknown {} '{}'", what, name);
        if (!near.empty()) {
            message += fmt::format("; closest: {}", fmt::join(near, ", "));
        } else if (!known.empty()) {
            message += fmt::format(" (none of the {} known is close)", known.size());
        }
        record_error(name, request, std::move(message));
    }
    if (asked > 0 && unknown.size() >= asked) {
        m_nothing_named = true;
    }
}

void RunContext::request(http::Request request,
                         std::string asset,
                         std::function<void(std::string&)> handle,
                         FailureHandler on_failure) {
    submit(std::move(request), std::move(asset), std::move(handle), std::move(on_failure), true);
}

void RunContext::lookup(http::Request request,
                        std::function<void(std::string&)> handle,
                        FailureHandler on_failure) {
    submit(std::move(request), "", std::move(handle), std::move(on_failure), false);
}

void RunContext::submit(http::Request request,
                        std::string asset,
                        std::function<void(std::string&)> handle,
                        FailureHandler on_failure,
                        bool data) {
    const std::string label = request.label;
    m_http.submit(std::move(request),
                  [this,
                   label,
                   data,
                   asset = std::move(asset),
                   handle = std::move(handle),
                   on_failure = std::move(on_failure)](http::Response&& r) {
                      if (!r.ok()) {
                          if (on_failure && on_failure(r)) {
                              return;
                          }
                          record_error(asset, label, r.describe());
                          return;
                      }
                      if (r.body.empty()) {
                          record_error(
                              asset, label, fmt::format("HTTP {} with an empty body", r.status));
                          return;
                      }
                      try {
                          handle(r.body);
                      } catch (const core::DataError& e) {
                          m_http.count_refused();
                          record_error(asset, label, e.what());
                          return;
                      }
                      if (data) {
                          ++m_succeeded;
                      }
                  });
}

void PullContext::fetch(http::Request request,
                        std::string asset,
                        Parser parse,
                        FailureHandler on_failure) {
    const std::string label = request.label;
    this->request(
        std::move(request),
        std::move(asset),
        [this, label, parse = std::move(parse)](std::string& body) {
            store::Batch batch;
            std::vector<store::Asset> assets;
            parse(body, batch, assets);
            core::log::debug("{}: {} points", label, batch.size());
            m_points.append(batch);
            m_assets.insert(m_assets.end(),
                            std::make_move_iterator(assets.begin()),
                            std::make_move_iterator(assets.end()));
        },
        std::move(on_failure));
}

std::optional<core::Time> BackfillContext::done_through(const ProgressKey& key) const {
    auto it = m_progress.find(key);
    if (it == m_progress.end()) {
        return std::nullopt;
    }
    return it->second;
}

bool BackfillContext::done(const Chunk& chunk) const {
    return std::all_of(chunk.keys.begin(), chunk.keys.end(), [&](const ProgressKey& key) {
        const auto through = done_through(key);
        return through && *through >= chunk.through;
    });
}

void BackfillContext::fetch_chunk(http::Request request,
                                  Chunk chunk,
                                  ChunkParser parse,
                                  std::function<void(core::Time)> next,
                                  FailureHandler on_failure) {
    if (done(chunk)) {
        ++m_skipped;
        if (next) {
            next(chunk.through);
        }
        return;
    }
    // A chunk of one asset (several metrics or one) names it in its errors.
    const bool one_asset = !chunk.keys.empty()
                           && std::all_of(chunk.keys.begin(), chunk.keys.end(), [&](const auto& k) {
                                  return k.asset == chunk.keys.front().asset;
                              });
    std::string asset = one_asset ? chunk.keys.front().asset : std::string();
    this->request(
        std::move(request),
        std::move(asset),
        [this, chunk = std::move(chunk), parse = std::move(parse), next = std::move(next)](
            std::string& body) {
            store::Batch batch;
            Chunk covered = chunk;
            parse(body, batch, covered.through);
            // The points are all out of it: a 106 MB body need not wait for them to be written.
            std::string().swap(body);
            m_sink(covered, batch);
            if (next) {
                next(covered.through);
            }
        },
        std::move(on_failure));
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
