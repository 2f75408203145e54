#pragma once

#include <string>
#include <string_view>

namespace sources::defillama {

// DefiLlama's services. Free tier: one host each; pro tier: one host with the key in the path
// and a prefix per service (research/defillama-api.md §1).
enum class Service { api, stablecoins, yields, bridges };

class Endpoints {
public:
    // Reads DEFILLAMA_API_KEY and the TM_DEFILLAMA_*_URL overrides. Throws core::UsageError for
    // an override that is not an http(s) URL.
    Endpoints();

    bool pro() const { return !m_key.empty(); }
    // Bridges are pro-only since 2026-01 unless TM_DEFILLAMA_BRIDGES_URL names a host that
    // still serves them (the legacy free bridges host, a mirror, a test server).
    bool bridges_available() const { return pro() || m_bridges_override; }

    // The URL of `path` ("/overview/fees?dataType=dailyFees") on `service`'s free path, mapped
    // to the pro host and prefix when a key is set.
    std::string url(Service service, std::string_view path) const;

    // The origins requests go to, for rate limits.
    std::string origin(Service service) const;

private:
    std::string m_key;
    std::string m_pro;
    std::string m_api, m_stablecoins, m_yields, m_bridges;
    bool m_bridges_override = false;
};

} // namespace sources::defillama
