#include <tm/core/error.hpp>
#include <tm/core/strings.hpp>
#include <tm/sources/artemis/artemis.hpp>
#include <tm/sources/binance/binance.hpp>
#include <tm/sources/coinbase/coinbase.hpp>
#include <tm/sources/coingecko/coingecko.hpp>
#include <tm/sources/defillama/defillama.hpp>
#include <tm/sources/hyperliquid/hyperliquid.hpp>
#include <tm/sources/kraken/kraken.hpp>
#include <tm/sources/source.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <functional>

namespace sources {
namespace {

struct Entry {
    const char* name;
    std::function<std::unique_ptr<Source>(Mode, const Selection&)> make;
};

const std::vector<Entry>& registry() {
    // Alphabetical: the order of every list a user sees.
    static const std::vector<Entry> entries = {
        {"artemis",
         [](Mode mode, const Selection& selection) {
             return std::make_unique<artemis::Artemis>(selection, mode);
         }},
        {"binance",
         [](Mode mode, const Selection& selection) {
             return std::make_unique<binance::Binance>(selection, mode);
         }},
        {"coinbase",
         [](Mode mode, const Selection& selection) {
             return std::make_unique<coinbase::Coinbase>(selection, mode);
         }},
        {"coingecko",
         [](Mode mode, const Selection& selection) {
             return std::make_unique<coingecko::CoinGecko>(selection, mode);
         }},
        {"defillama",
         [](Mode mode, const Selection& selection) {
             return std::make_unique<defillama::DefiLlama>(selection, mode);
         }},
        {"hyperliquid",
         [](Mode mode, const Selection& selection) {
             return std::make_unique<hyperliquid::Hyperliquid>(selection, mode);
         }},
        {"kraken",
         [](Mode mode, const Selection& selection) {
             return std::make_unique<kraken::Kraken>(selection, mode);
         }},
    };
    return entries;
}

} // namespace

std::vector<std::string> source_names() {
    std::vector<std::string> names;
    for (const auto& e : registry()) {
        names.emplace_back(e.name);
    }
    return names;
}

std::unique_ptr<Source>
make_source(const std::string& name, Mode mode, const Selection& selection) {
    require_source(name);
    if (!selection.dexes.empty() && name != "hyperliquid") {
        throw core::UsageError(fmt::format(
            "--dex chooses Hyperliquid's builder-deployed perp dexes; {} has none", name));
    }
    const auto& all = registry();
    return std::find_if(all.begin(), all.end(), [&](const auto& e) { return name == e.name; })
        ->make(mode, selection);
}

void require_source(const std::string& name) {
    const auto names = source_names();
    if (std::find(names.begin(), names.end(), name) != names.end()) {
        return;
    }
    std::string message = fmt::format("unknown source '{}'", name);
    if (auto guess = core::strings::closest(name, names)) {
        message += fmt::format("; did you mean '{}'?", *guess);
    }
    message += fmt::format(" (known: {})", fmt::join(names, ", "));
    throw core::UsageError(message);
}

} // namespace sources
