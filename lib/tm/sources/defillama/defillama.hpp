#pragma once

#include <tm/sources/source.hpp>

#include <string>

namespace sources::defillama {

// DefiLlama (research/defillama-api.md). Free tier by default; with DEFILLAMA_API_KEY every
// request goes to the pro host with the key in the path (pro-api.llama.fi/KEY/api/...).
class DefiLlama : public Source {
public:
    DefiLlama();
    const SourceInfo& info() const override { return m_info; }
    void configure(http::Client& http) const override;
    void plan_pull(PullContext& ctx) override;

    bool pro() const { return !m_key.empty(); }
    // Base for TVL endpoints: https://api.llama.fi, or {pro}/{KEY}/api.
    const std::string& api_base() const { return m_api_base; }

private:
    SourceInfo m_info;
    std::string m_key;
    std::string m_api_base;
};

} // namespace sources::defillama
