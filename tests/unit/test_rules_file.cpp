#include <tm/core/error.hpp>
#include <tm/rules/rules_file.hpp>

#include <catch2/catch.hpp>

#include <algorithm>

namespace {

// The message parse_rules throws for `text`, or "" when it parses.
std::string error_of(const std::string& text) {
    try {
        rules::parse_rules(text, "r.toml");
    } catch (const core::UsageError& e) {
        return e.what();
    }
    return "";
}

} // namespace

TEST_CASE("rules file: the shipped config/rules.toml has the eight documented rules") {
    const auto rules = rules::load_rules(std::nullopt);
    std::vector<std::string> names;
    for (const auto& r : rules) {
        names.push_back(r.name);
    }
    CHECK(names
          == std::vector<std::string>{"tvl_drop",
                                      "apy_low",
                                      "utilization_high",
                                      "price_deviation",
                                      "funding_extreme",
                                      "stale_feed",
                                      "outlier",
                                      "source_divergence"});
    const auto& tvl = rules[0];
    CHECK(tvl.kind == rules::Kind::change);
    CHECK(tvl.direction == rules::Rule::Direction::down);
    CHECK(tvl.fraction == 0.20);
    CHECK(tvl.window == std::chrono::hours{24});
    CHECK(tvl.severity == "critical");
    CHECK(tvl.select.metrics == std::vector<std::string>{"TVL", "CHAIN_TVL"});
    const auto& apy = rules[1];
    CHECK(apy.bounds.below == 1.0);
    CHECK(apy.when_metric == "POOL_TVL");
    CHECK(apy.when.at_least == 1e6);
    CHECK(rules[4].absolute);
    CHECK(rules[5].schedule.size() == 5);
    const auto& schedule = rules[5].schedule;
    CHECK(std::find(schedule.begin(),
                    schedule.end(),
                    std::pair<std::string, core::Duration>{"defillama", std::chrono::hours{1}})
          != schedule.end());
}

TEST_CASE("rules file: what is wrong, with file and line") {
    CHECK(error_of("[[rule]]\nname = \"a\"\nkind = \"change\"\nmetric = \"TVL\"\nwindow = "
                   "\"24h\"\ndorp = 0.2\n")
          == "r.toml:6: rule 'a': unknown key 'dorp' (did you mean 'drop'?)");
    CHECK(error_of("[[rule]]\nname = \"a\"\nkind = \"threshhold\"\n")
          == "r.toml:3: rule 'a': unknown kind 'threshhold' (known: change, threshold, deviation, "
             "staleness, outlier, divergence)");
    CHECK(error_of("[[rule]]\nname = \"a\"\nkind = \"change\"\nmetric = \"TVL\"\nwindow = \"a "
                   "day\"\ndrop = 0.2\n")
          == "r.toml:5: rule 'a': 'window' = \"a day\" is not a duration (use s, m, h, d: \"5m\", "
             "\"24h\")");
    CHECK(error_of("[[rule]]\nname = \"a\"\nkind = \"threshold\"\nmetric = \"APY\"\n")
          == "r.toml:1: rule 'a': a threshold rule needs above, at_least, below or at_most");
    CHECK(error_of("[[rule]]\nname = \"a\"\nkind = \"threshold\"\nbelow = 1\n")
          == "r.toml:1: rule 'a': needs metric = [...] (which series it judges)");
    CHECK(error_of("[[rule]]\nname = \"a\"\nkind = \"threshold\"\nmetric = \"X\"\nbelow = \"1\"\n")
          == "r.toml:5: rule 'a': 'below' must be a number");
    CHECK(error_of("[[rule]]\nname = \"a\"\nkind = \"change\"\nmetric = \"X\"\nwindow = "
                   "\"1h\"\ndrop = 0.1\nrise = 0.1\n")
          == "r.toml:1: rule 'a': a change rule takes exactly one of drop, rise or move (a "
             "fraction: 0.2)");
    CHECK(error_of("[[rule]]\nname = \"a\"\nkind = \"outlier\"\nmetric = \"X\"\nwindow = "
                   "\"30d\"\nz = 6\nmax_points = 10\n")
          == "r.toml:7: rule 'a': 'max_points' (10) must be at least 'min_points' (20), or the "
             "rule never fires");
    CHECK(error_of("[[rule]]\nname = \"a\"\nkind = \"deviation\"\nmetric = \"X\"\nwindow = "
                   "\"5m\"\nthreshold = 0.1\nmax_points = 2.5\n")
          == "r.toml:7: rule 'a': 'max_points' must be a whole number of at least 1");
    CHECK(error_of("[[rule]]\nname = \"a\"\nkind = \"threshold\"\nmetric = \"X\"\nbelow = "
                   "1\nseverity = \"huge\"\n")
          == "r.toml:6: rule 'a': severity 'huge' is not info, warning or critical");
    CHECK(error_of("[[rule]]\nname = \"a\"\nkind = \"threshold\"\nmetric = \"X\"\nbelow = 1\n"
                   "[[rule]]\nname = \"a\"\nkind = \"threshold\"\nmetric = \"Y\"\nabove = 1\n")
          == "r.toml:6: rule 'a' is defined twice; names must be unique");
    CHECK(error_of("[[rule]]\nname = \"a\"\nkind = \"staleness\"\n")
          == "r.toml:1: rule 'a': a staleness rule needs schedule = { SOURCE = \"1h\", … } (how "
             "often each source is pulled)");
    CHECK(error_of("[[rule]]\nname = \"a\"\nkind = \"threshold\"\nmetric = \"APY\"\nbelow = 1\n"
                   "when = { at_least = 5 }\n")
          == "r.toml:6: rule 'a': 'when' needs metric = \"NAME\" (the sibling series that gates "
             "the rule)");
    CHECK(error_of("[[rule]]\nname = \"Bad Name\"\nkind = \"change\"\n")
          == "r.toml:2: rule 'Bad Name': a name is lower-case letters, digits and '_'");
    CHECK(error_of("") == "r.toml: no rules; a rules file holds [[rule]] tables");
    CHECK(error_of("[rules]\nx = 1\n").starts_with("r.toml:1: unknown top-level key 'rules'"));
    // TOML syntax errors keep toml++'s description and line.
    CHECK(error_of("[[rule]]\nname = \"a\"\nkind = \n").starts_with("r.toml:3: "));
}

TEST_CASE("rules file: selectors take a string or a list; --rule picks rules by name") {
    const auto rules = rules::parse_rules(
        "[[rule]]\nname = \"a\"\nkind = \"deviation\"\nmetric = \"PRICE\"\nsource = [\"binance\", "
        "\"kraken\"]\nasset = \"BTC*\"\nasset_kind = \"pair\"\nwindow = \"5m\"\nthreshold = 0.05\n"
        "max_age = \"1h\"\n[[rule]]\nname = \"b\"\nkind = \"outlier\"\nmetric = \"TVL\"\nwindow = "
        "\"30d\"\nz = 4\n",
        "r.toml");
    REQUIRE(rules.size() == 2);
    CHECK(rules[0].select.sources == std::vector<std::string>{"binance", "kraken"});
    CHECK(rules[0].select.assets == std::vector<std::string>{"BTC*"});
    CHECK(rules[0].select.asset_kinds == std::vector<std::string>{"pair"});
    CHECK(rules[0].max_age == std::chrono::hours{1});
    CHECK(rules[0].min_points == 1);
    CHECK(rules[1].min_points == 20);
    CHECK(rules[1].max_points == 1000);
    CHECK(rules[1].z == 4);
    CHECK(rules[1].line == 11);
    CHECK(rules::only(rules, {"b"}).size() == 1);
    CHECK_THROWS_WITH(rules::only(rules, {"c"}), "--rule c: no such rule (rules: a, b)");
}
