#pragma once

#include <string>
#include <string_view>

namespace sources::defillama {

// The one asset id of a chain, whichever of DefiLlama's three naming systems a response uses:
// old labels on /protocols ("Binance", "xDai"), new labels on /v2/chains ("BSC", "Gnosis") and
// internal keys in breakdowns ("bsc", "xdai"). Known aliases map to the internal key; any
// other label becomes lower case with spaces as '_' (DefiLlama's own key convention).
std::string chain_key(std::string_view label);

} // namespace sources::defillama
