#pragma once

#include <tm/sources/source.hpp>

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace sources {

// Names an answer left out (CoinGecko drops unknown ids, Coinbase answers 404, Artemis omits a
// symbol), reported once the run's requests are done, with the closest names of the source's own
// list. The list is fetched only when a name is missing (CoinGecko's holds 17,000 ids), once per
// run; with --every it is kept across samples.
class MissingNames {
public:
    using ParseList = std::function<std::vector<std::string>(std::string& body)>;

    // `what` says what a name is ("CoinGecko coin id"); `list` is the request of the source's
    // list of names, `parse` reads its body.
    MissingNames(std::string what, http::Request list, ParseList parse)
        : m_what(std::move(what)), m_list_request(std::move(list)), m_parse(std::move(parse)) {}

    // Forgets the names of an earlier sample (the list stays).
    void clear();
    void add(const std::string& name) { m_missing.insert(name); }
    bool contains(const std::string& name) const { return m_missing.contains(name); }

    // For the phase after the data requests: queues the list request when a name is missing
    // and no list is known yet, and returns true (a phase follows); otherwise reports every
    // missing name (RunContext::report_unknown, of `asked` names) and returns false.
    bool report(RunContext& ctx, size_t asked);

private:
    std::string m_what;
    http::Request m_list_request;
    ParseList m_parse;
    std::set<std::string> m_missing;
    std::optional<std::vector<std::string>> m_list;
    bool m_list_asked = false;
};

} // namespace sources
