#include <tm/sources/missing_names.hpp>

namespace sources {

void MissingNames::clear() {
    m_missing.clear();
    m_list_asked = false;
}

bool MissingNames::report(RunContext& ctx, size_t asked) {
    if (!m_missing.empty() && !m_list && !m_list_asked) {
        m_list_asked = true;
        ctx.lookup(m_list_request, [this](std::string& body) { m_list = m_parse(body); });
        return true;
    }
    // Without the list (it failed, and says so) the names are still reported, without advice.
    ctx.report_unknown({m_missing.begin(), m_missing.end()},
                       asked,
                       m_what,
                       m_list.value_or(std::vector<std::string>{}),
                       m_list_request.label);
    return false;
}

} // namespace sources
