// sha256.h — SHA-256 over several byte ranges, and hex rendering (internal to runtime/pack;
// OpenSSL's libcrypto does the hashing and stays out of every public header).
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

namespace suture::pack {

using Digest = std::array<std::uint8_t, 32>;

// The SHA-256 of the concatenation of `parts`.
Digest sha256(std::initializer_list<std::string_view> parts);

std::string to_hex(const Digest& digest);

}  // namespace suture::pack
