#include <tm/core/error.hpp>
#include <tm/core/log.hpp>
#include <tm/core/secrets.hpp>
#include <tm/http/url.hpp>
#include <tm/sources/artemis/artemis.hpp>
#include <tm/sources/artemis/parse.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <set>

namespace sources::artemis {
namespace {

using namespace std::chrono_literals;

const Host k_host{
    "TM_ARTEMIS_URL", "https://data-svc.artemisxyz.com", "daily crypto and equity metrics"};

std::string joined(const std::vector<std::string>& items, bool encode) {
    std::string out;
    for (const auto& i : items) {
        out += out.empty() ? "" : ",";
        out += encode ? http::percent_encode(i) : i;
    }
    return out;
}

} // namespace

bool split(const Request& r, Request& a, Request& b) {
    if (r.symbols.size() > 1) {
        const auto mid = r.symbols.begin() + static_cast<long>(r.symbols.size() / 2);
        a = {{r.symbols.begin(), mid}, r.metrics};
        b = {{mid, r.symbols.end()}, r.metrics};
        return true;
    }
    if (r.metrics.size() > 1) {
        const auto mid = r.metrics.begin() + static_cast<long>(r.metrics.size() / 2);
        a = {r.symbols, {r.metrics.begin(), mid}};
        b = {r.symbols, {mid, r.metrics.end()}};
        return true;
    }
    return false;
}

namespace {

std::string required_key() {
    std::string key = core::secrets::from_env("ARTEMIS_API_KEY");
    if (key.empty()) {
        throw core::UsageError(
            "ARTEMIS_API_KEY is not set; Artemis needs an API key (export ARTEMIS_API_KEY=…)");
    }
    return key;
}

} // namespace

Artemis::Artemis(const Selection& selection, Mode)
    : m_info{k_source,
             "daily crypto and equity metrics (prices, fees, users, volumes, supply)",
             {k_host},
             {"ARTEMIS_API_KEY"},
             std::chrono::hours{24}},
      m_key(required_key()), m_base(base_url(k_host.env_var, k_host.default_url)),
      m_matrix(selection),
      m_batch_symbols(static_cast<size_t>(std::max(1, selection.batch_assets))),
      m_batch_days(std::max(1, selection.batch_days)),
      m_missing(
          "Artemis symbol",
          http::get(fmt::format("{}/asset/symbols/?APIKey={}", m_base, http::percent_encode(m_key)),
                    "GET /asset/symbols"),
          parse_symbol_list) {
    m_info.budget_per_minute = 480;
    m_info.pull_cost = static_cast<double>(batches().size());
}

void Artemis::configure(http::Client& http) const {
    // No published limit; the seed ran at about 8 requests a second without trouble.
    http.set_limit(m_base, {m_info.budget_per_minute, 8});
}

std::vector<Request> Artemis::batches() const {
    std::vector<Request> out;
    for (const auto& [metrics, symbols] : m_matrix.groups()) {
        for (size_t i = 0; i < symbols.size(); i += m_batch_symbols) {
            const auto end = std::min(symbols.size(), i + m_batch_symbols);
            out.push_back(
                {{symbols.begin() + static_cast<long>(i), symbols.begin() + static_cast<long>(end)},
                 metrics});
        }
    }
    return out;
}

http::Request Artemis::build(const Request& r, core::Time first_day, core::Time last_day) const {
    const std::string url =
        fmt::format("{}/data/api/{}/?symbols={}&startDate={}&endDate={}&APIKey={}",
                    m_base,
                    joined(r.metrics, true),
                    joined(r.symbols, true),
                    core::format_date(first_day),
                    core::format_date(last_day),
                    http::percent_encode(m_key));
    const std::string label = fmt::format(
        "GET /data/api {} × {} ({}..{})",
        r.symbols.size() == 1 ? r.symbols.front() : std::to_string(r.symbols.size()) + " symbols",
        r.metrics.size() == 1 ? r.metrics.front() : std::to_string(r.metrics.size()) + " metrics",
        core::format_date(first_day),
        core::format_date(last_day));
    return http::get(url, label);
}

void Artemis::parse_into(std::string& body,
                         const Request& r,
                         store::Batch& out,
                         RunContext& ctx,
                         const std::string& label) {
    store::Batch parsed;
    std::vector<Skipped> skipped;
    std::vector<std::string> answered;
    parse_metrics(
        body, parsed, skipped, [this](std::string_view s) { return m_matrix.kind(s); }, &answered);
    // A symbol the answer leaves out (unless the whole range has no data) is one Artemis does
    // not know.
    const bool no_data = std::any_of(
        skipped.begin(), skipped.end(), [](const Skipped& s) { return s.asset.empty(); });
    if (!no_data) {
        for (const auto& symbol : r.symbols) {
            if (std::find(answered.begin(), answered.end(), symbol) == answered.end()) {
                m_missing.add(symbol);
            }
        }
    }
    // Keep the pairs asked for: symbols and metrics match case-insensitively (the parser
    // lower-cases symbols and upper-cases metrics, as the request does).
    const std::set<std::string> symbols(r.symbols.begin(), r.symbols.end());
    const std::set<std::string> metrics(r.metrics.begin(), r.metrics.end());
    out.append(parsed.filtered([&](const store::SeriesKey& k) {
        return symbols.contains(k.asset) && metrics.contains(k.metric);
    }));
    for (const auto& s : skipped) {
        ctx.record_notice(s.asset,
                          label,
                          s.metric.empty() ? s.message
                                           : fmt::format("{}: {}", s.metric, s.message));
    }
}

void Artemis::fetch_live(PullContext& ctx, Request r, core::Time first_day, core::Time last_day) {
    auto request = build(r, first_day, last_day);
    const std::string label = request.label;
    ctx.fetch(
        std::move(request),
        r.symbols.size() == 1 ? r.symbols.front() : std::string(),
        [this, r, &ctx, label](std::string& body, store::Batch& out, std::vector<store::Asset>&) {
            parse_into(body, r, out, ctx, label);
        },
        // A 400 names a bad symbol/metric pair: split until the pair is found, then record it
        // and go on without retrying it.
        [this, r, &ctx, first_day, last_day](const http::Response& response) {
            Request a, b;
            if (response.status != 400 || !split(r, a, b)) {
                return false;
            }
            fetch_live(ctx, a, first_day, last_day);
            fetch_live(ctx, b, first_day, last_day);
            return true;
        });
}

bool Artemis::plan_pull(PullContext& ctx, int phase) {
    if (phase > 0) {
        return report_missing(ctx);
    }
    m_missing.clear();
    // Today and yesterday: values of the last days settle after the fact, and the live policy
    // updates what changed.
    const core::Time today = core::floor_to(ctx.now(), 24h);
    for (auto& r : batches()) {
        fetch_live(ctx, std::move(r), today - 24h, today);
    }
    return true;
}

bool Artemis::report_missing(RunContext& ctx) {
    if (m_missing.report(ctx, m_matrix.wanted().size())) {
        return true;
    }
    for (auto& a : m_matrix.assets()) {
        if (!m_missing.contains(a.asset)) {
            ctx.assets().push_back(std::move(a));
        }
    }
    return false;
}

store::Batch Artemis::select(const store::Batch& points, const std::vector<store::Asset>&) {
    return points; // each response was narrowed to its request already
}

void Artemis::chain(BackfillContext& ctx, Request r, core::Time start) {
    if (start >= ctx.to()) {
        return;
    }
    const core::Time end = std::min(start + m_batch_days * 24h, ctx.to());
    Chunk chunk{{}, end};
    for (const auto& s : r.symbols) {
        for (const auto& m : r.metrics) {
            chunk.keys.push_back({s, m});
        }
    }
    auto request = build(r, start, end - 24h);
    const std::string label = request.label;
    ctx.fetch_chunk(
        std::move(request),
        std::move(chunk),
        [this, r, &ctx, label](std::string& body, store::Batch& out, core::Time&) {
            parse_into(body, r, out, ctx, label);
        },
        [this, r, &ctx, end](core::Time) { chain(ctx, r, end); },
        [this, r, &ctx, start](const http::Response& response) {
            Request a, b;
            if (response.status != 400 || !split(r, a, b)) {
                return false;
            }
            chain(ctx, a, start);
            chain(ctx, b, start);
            return true;
        });
}

bool Artemis::plan_backfill(BackfillContext& ctx, int phase) {
    if (phase > 0) {
        return report_missing(ctx);
    }
    m_missing.clear();
    // Five years by default, as the seed's backfill; windows of a year, symbols in batches.
    const core::Time default_from = core::floor_to(ctx.now(), 24h) - 5 * 365 * 24h;
    const core::Time from = ctx.from() == core::Time::min() ? default_from : ctx.from();
    for (auto& r : batches()) {
        // Resume where the least advanced pair of the batch stopped.
        core::Time start = ctx.to();
        for (const auto& s : r.symbols) {
            for (const auto& m : r.metrics) {
                start = std::min(start, std::max(from, ctx.done_through({s, m}).value_or(from)));
            }
        }
        chain(ctx, std::move(r), start);
    }
    return true;
}

} // namespace sources::artemis
