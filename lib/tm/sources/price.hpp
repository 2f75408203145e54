#pragma once

#include <optional>

namespace sources {

// A last price of 0 is how exchanges say "no trade" (Kraken's idle pairs answer
// c = ["0.00000000", …]): no price, so no PRICE point; stored, it would read as a 100 % fall to
// the price rules. A volume of 0 is a real value and is kept.
inline std::optional<double> traded_price(std::optional<double> price) {
    if (price && *price == 0) {
        return std::nullopt;
    }
    return price;
}

} // namespace sources
