#include <tm/core/secrets.hpp>
#include <tm/sources/defillama/endpoints.hpp>
#include <tm/sources/source.hpp>

#include <fmt/format.h>

#include <cstdlib>

namespace sources::defillama {

Endpoints::Endpoints()
    : m_key(core::secrets::from_env("DEFILLAMA_API_KEY")),
      m_pro(base_url("TM_DEFILLAMA_PRO_URL", "https://pro-api.llama.fi")),
      m_api(base_url("TM_DEFILLAMA_URL", "https://api.llama.fi")),
      m_stablecoins(base_url("TM_DEFILLAMA_STABLECOINS_URL", "https://stablecoins.llama.fi")),
      m_yields(base_url("TM_DEFILLAMA_YIELDS_URL", "https://yields.llama.fi")),
      m_bridges(base_url("TM_DEFILLAMA_BRIDGES_URL", "https://bridges.llama.fi")) {
    const char* bridges = std::getenv("TM_DEFILLAMA_BRIDGES_URL");
    m_bridges_override = bridges != nullptr && *bridges != '\0';
}

std::string Endpoints::url(Service service, std::string_view path) const {
    if (!pro()) {
        switch (service) {
        case Service::api:
            return m_api + std::string(path);
        case Service::stablecoins:
            return m_stablecoins + std::string(path);
        case Service::yields:
            return m_yields + std::string(path);
        case Service::bridges:
            return m_bridges + std::string(path);
        }
    }
    // Pro: {host}/{KEY}/{prefix}{path}; the borrow-side pool list is /poolsBorrow there.
    std::string mapped(path);
    if (service == Service::yields && mapped.starts_with("/lendBorrow")) {
        mapped =
            fmt::format("/poolsBorrow{}", mapped.substr(std::string_view("/lendBorrow").size()));
    }
    static constexpr std::string_view prefixes[] = {"/api", "/stablecoins", "/yields", "/bridges"};
    return m_pro + "/" + m_key + std::string(prefixes[static_cast<int>(service)]) + mapped;
}

std::string Endpoints::origin(Service service) const {
    if (pro()) {
        return m_pro;
    }
    switch (service) {
    case Service::api:
        return m_api;
    case Service::stablecoins:
        return m_stablecoins;
    case Service::yields:
        return m_yields;
    case Service::bridges:
        return m_bridges;
    }
    return m_api;
}

} // namespace sources::defillama
