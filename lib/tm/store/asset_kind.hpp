#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace store {

// What kind of thing an asset id names. Part of a series' identity: DefiLlama's stablecoin 1 and
// bridge 1 are different things that share an id, and so are the chain and the protocol
// `hyperliquid`.
enum class AssetKind { protocol, chain, pool, stablecoin, bridge, coin, perp, pair, equity };

// "protocol", "chain", … as stored in the kind columns of series, assets and entities.
std::string_view to_string(AssetKind kind);

// The kind named `name`; nullopt for anything else.
std::optional<AssetKind> asset_kind_named(std::string_view name);

// Every kind, in declaration order.
std::span<const AssetKind> asset_kinds();

// "protocol", "chain", … in declaration order, for flag checks.
std::vector<std::string> asset_kind_names();

// "protocol, chain, pool, …", for messages listing the valid names.
std::string asset_kind_list();

} // namespace store
