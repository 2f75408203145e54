#include <tm/core/secrets.hpp>
#include <tm/sources/defillama/defillama.hpp>
#include <tm/sources/defillama/parse.hpp>

#include <chrono>

namespace sources::defillama {

namespace {

const Host k_api{"TM_DEFILLAMA_URL", "https://api.llama.fi", "TVL, chains (free tier)"};
const Host k_pro{"TM_DEFILLAMA_PRO_URL", "https://pro-api.llama.fi", "every endpoint (pro tier)"};

} // namespace

DefiLlama::DefiLlama()
    : m_info{k_source,
             "DeFi TVL per protocol and chain",
             {k_api, k_pro},
             {"DEFILLAMA_API_KEY"},
             std::chrono::hours{1}},
      m_key(core::secrets::from_env("DEFILLAMA_API_KEY")) {
    m_api_base = pro() ? base_url(k_pro.env_var, k_pro.default_url) + "/" + m_key + "/api"
                       : base_url(k_api.env_var, k_api.default_url);
}

void DefiLlama::configure(http::Client& http) const {
    // Pro allows 1,000 requests/minute. The free tier publishes no number; one request a
    // second with a small burst stays well clear of the 429s others have reported.
    if (pro()) {
        http.set_limit(m_api_base, {900, 50});
    } else {
        http.set_limit(m_api_base, {60, 10});
    }
}

void DefiLlama::plan_pull(PullContext& ctx) {
    const core::Time ts = ctx.snapshot_time();
    ctx.fetch(http::get(m_api_base + "/protocols", "GET /protocols"),
              "",
              [ts](std::string& body, store::Batch& out, std::vector<store::Asset>& assets) {
                  parse_protocols(body, ts, out, assets);
              });
    ctx.fetch(http::get(m_api_base + "/v2/chains", "GET /v2/chains"),
              "",
              [ts](std::string& body, store::Batch& out, std::vector<store::Asset>& assets) {
                  parse_chains(body, ts, out, assets);
              });
}

} // namespace sources::defillama
