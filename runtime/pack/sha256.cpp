// sha256.cpp — SHA-256 through OpenSSL's EVP interface (the one that uses SHA extensions).
#include "runtime/pack/sha256.h"

#include <openssl/evp.h>

#include <memory>

namespace suture::pack {

Digest sha256(std::initializer_list<std::string_view> parts) {
  Digest out{};
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  unsigned int size = 0;
  // INVARIANT: these only fail on allocation failure; a zero digest then never matches a pack.
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) return out;
  for (std::string_view part : parts)
    if (!part.empty() && EVP_DigestUpdate(ctx.get(), part.data(), part.size()) != 1) return Digest{};
  if (EVP_DigestFinal_ex(ctx.get(), out.data(), &size) != 1 || size != out.size()) return Digest{};
  return out;
}

std::string to_hex(const Digest& digest) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(digest.size() * 2);
  for (std::uint8_t b : digest) {
    hex.push_back(kDigits[b >> 4]);
    hex.push_back(kDigits[b & 0xf]);
  }
  return hex;
}

}  // namespace suture::pack
