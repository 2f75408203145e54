#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace rules {

// An alert opening or resolving: what a notification says.
struct AlertEvent {
    int64_t alert_id = 0;
    std::string event; // "opened" or "resolved"
    std::string rule;
    std::string severity;
    std::string source, asset, metric; // empty for an alert about a whole source
    std::string subject;               // that source, or the other series of a divergence
    std::optional<double> value;
    std::optional<double> baseline;
    std::string message;
    std::string at;                        // ISO-8601 UTC: when it opened or resolved
    std::vector<std::string> delivered_to; // channels that already have it

    // "defillama/aave/TVL", "hyperliquid", "artemis/eth/FEES vs defillama/ethereum/FEES_24H".
    std::string target() const;
    // (value - baseline) / baseline when both are known and baseline is not 0.
    std::optional<double> change() const;
};

} // namespace rules
