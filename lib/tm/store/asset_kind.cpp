#include <tm/store/asset_kind.hpp>

#include <array>
#include <utility>

namespace store {
namespace {

constexpr std::array<std::pair<AssetKind, std::string_view>, 9> k_names = {{
    {AssetKind::protocol, "protocol"},
    {AssetKind::chain, "chain"},
    {AssetKind::pool, "pool"},
    {AssetKind::stablecoin, "stablecoin"},
    {AssetKind::bridge, "bridge"},
    {AssetKind::coin, "coin"},
    {AssetKind::perp, "perp"},
    {AssetKind::pair, "pair"},
    {AssetKind::equity, "equity"},
}};

constexpr std::array<AssetKind, 9> k_kinds = [] {
    std::array<AssetKind, 9> out{};
    for (size_t i = 0; i < k_names.size(); ++i) {
        out[i] = k_names[i].first;
    }
    return out;
}();

} // namespace

std::string_view to_string(AssetKind kind) {
    return k_names[static_cast<size_t>(kind)].second;
}

std::optional<AssetKind> asset_kind_named(std::string_view name) {
    for (const auto& [kind, n] : k_names) {
        if (n == name) {
            return kind;
        }
    }
    return std::nullopt;
}

std::span<const AssetKind> asset_kinds() {
    return k_kinds;
}

std::vector<std::string> asset_kind_names() {
    std::vector<std::string> out;
    for (const auto& [kind, name] : k_names) {
        out.emplace_back(name);
    }
    return out;
}

std::string asset_kind_list() {
    std::string out;
    for (const auto& [kind, name] : k_names) {
        out.append(out.empty() ? "" : ", ").append(name);
    }
    return out;
}

} // namespace store
