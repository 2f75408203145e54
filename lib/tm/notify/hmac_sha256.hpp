#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

// SHA-256 (FIPS 180-4) and HMAC-SHA256 (RFC 2104) for signing webhook bodies. Written here
// rather than linking a crypto library for one function; checked against the FIPS and RFC 4231
// test vectors (tests/unit/test_notify.cpp) and against Python's hmac in the end-to-end test.
namespace notify {

std::array<uint8_t, 32> sha256(std::string_view data);
std::array<uint8_t, 32> hmac_sha256(std::string_view key, std::string_view message);
// Lower-case hex of HMAC-SHA256(key, message).
std::string hmac_sha256_hex(std::string_view key, std::string_view message);

} // namespace notify
