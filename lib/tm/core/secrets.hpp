#pragma once

#include <string>
#include <string_view>

// Keeps API keys, webhook URLs and passwords out of every log line, error message, stored row
// and recorded file. Known secret values are registered as they are read from the environment;
// well-known shapes (URL passwords, conninfo passwords, key-like query parameters) are masked
// even when nobody registered them.
namespace core::secrets {

inline constexpr std::string_view mask = "***";

// Registers `value` as a secret. Values shorter than 4 characters are ignored, since masking
// them would garble unrelated text and they protect nothing.
void add(std::string_view value);

// Reads environment variable `name`, registers its value as a secret and returns it ("" when
// unset or empty).
std::string from_env(const char* name);

// Returns `text` with every registered secret and every well-known secret shape masked.
std::string redact(std::string_view text);

} // namespace core::secrets
