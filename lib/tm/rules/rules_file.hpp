#pragma once

#include <tm/rules/rule.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rules {

// Parses a rules file (TOML, one [[rule]] table per rule). `origin` names it in messages.
// Throws core::UsageError "FILE:LINE: rule 'NAME': what is wrong" for anything malformed, so
// nothing is evaluated from a file that is partly wrong.
std::vector<Rule> parse_rules(std::string_view text, const std::string& origin);

// The rules of `path`, or the shipped config/rules.toml (compiled in) when there is none.
std::vector<Rule> load_rules(const std::optional<std::string>& path);

// Keeps the rules named in `names` (all of them when empty). Throws core::UsageError naming an
// unknown rule and the known ones.
std::vector<Rule> only(std::vector<Rule> rules, const std::vector<std::string>& names);

} // namespace rules
