#pragma once

#include <optional>
#include <string>
#include <vector>

namespace sources {

// Whether a source is built for a live pull or a backfill (defaults differ, e.g. --top).
enum class Mode { pull, backfill };

// What to pull, from the flags every source shares (--config, --assets, --metrics, --top).
struct Selection {
    std::optional<std::string> config_file;
    std::vector<std::string> assets;
    std::vector<std::string> metrics;
    std::optional<int> top; // assets per metric when no config names them; 0 = all
    double min_pool_tvl = 1'000'000;
    // Sources that batch assets and dates per request (Artemis): at most this many of each.
    int batch_assets = 50;
    int batch_days = 365;
    // Candle interval of sources that store candles (Binance klines): 1m … 1w.
    std::string interval = "1d";
    // Hyperliquid's builder-deployed perp dexes (HIP-3) to add to the main one; "all" for every
    // one it lists.
    std::vector<std::string> dexes;
};

} // namespace sources
