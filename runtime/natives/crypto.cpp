// crypto.cpp — sha256, hmac_sha256 and uuid_from through OpenSSL's libcrypto: lower-case hex
// digests of the UTF-8 bytes, HMAC keys by name from the host configuration (ctx->keys), and
// RFC 4122 version-5 UUIDs.
//
// uuid_from's namespace is 7d05a7cb-a784-5710-87a9-9718c51d72a3, itself the v5 UUID of the
// name "urn:suture:uuid_from" in the RFC 4122 URL namespace. It is part of the output contract:
// changing it changes every id a spec derived.
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <string>

#include "runtime/natives/natives.h"
#include "runtime/natives/support.h"

namespace suture::runtime::natives {
namespace {

constexpr unsigned char kUuidNamespace[16] = {0x7d, 0x05, 0xa7, 0xcb, 0xa7, 0x84, 0x57, 0x10,
                                              0x87, 0xa9, 0x97, 0x18, 0xc5, 0x1d, 0x72, 0xa3};

// Lower-case hex into the arena.
bool set_hex(ExecContext* ctx, abi::Value* out, const unsigned char* bytes, std::size_t n) {
  static constexpr char digits[] = "0123456789abcdef";
  char* text = static_cast<char*>(ctx->arena->allocate(n * 2, 1));
  for (std::size_t i = 0; i < n; ++i) {
    text[2 * i] = digits[bytes[i] >> 4];
    text[2 * i + 1] = digits[bytes[i] & 0x0F];
  }
  return set_text(out, abi::Kind::String, {text, n * 2});
}

bool digest(const EVP_MD* md, std::string_view prefix, std::string_view data, unsigned char* result,
            unsigned int& size) {
  EVP_MD_CTX* mdctx = EVP_MD_CTX_new();
  if (mdctx == nullptr) return false;
  bool ok = EVP_DigestInit_ex(mdctx, md, nullptr) == 1 && EVP_DigestUpdate(mdctx, prefix.data(), prefix.size()) == 1 &&
            EVP_DigestUpdate(mdctx, data.data(), data.size()) == 1 && EVP_DigestFinal_ex(mdctx, result, &size) == 1;
  EVP_MD_CTX_free(mdctx);
  return ok;
}

}  // namespace
}  // namespace suture::runtime::natives

using namespace suture::runtime::natives;

extern "C" {

bool suture_rt_sha256(suture_ctx* ctx, suture_value* out, const suture_value* s) {
  return guarded(ctx, [&] {
    unsigned char hash[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    if (!digest(EVP_sha256(), {}, s->str(), hash, size)) return ctx->fail("CRYPTO_FAILED", "SHA-256 failed");
    return set_hex(ctx, out, hash, size);
  });
}

bool suture_rt_hmac_sha256(suture_ctx* ctx, suture_value* out, const suture_value* key_name, const suture_value* s) {
  return guarded(ctx, [&] {
    const suture::runtime::NamedKey* key = nullptr;
    for (std::uint32_t i = 0; i < ctx->key_count && key == nullptr; ++i)
      if (ctx->keys[i].name == key_name->str()) key = &ctx->keys[i];
    if (key == nullptr)
      return ctx->fail("KEY_UNKNOWN", "no key named '" + std::string(key_name->str()) + "' is configured");
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    const std::string_view data = s->str();
    if (HMAC(EVP_sha256(), key->bytes.data(), static_cast<int>(key->bytes.size()),
             reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &size) == nullptr)
      return ctx->fail("CRYPTO_FAILED", "HMAC-SHA-256 failed");
    return set_hex(ctx, out, mac, size);
  });
}

// SHA-1 of namespace ‖ name, first 16 bytes, version 5 and the RFC 4122 variant.
bool suture_rt_uuid_from(suture_ctx* ctx, suture_value* out, const suture_value* s) {
  return guarded(ctx, [&] {
    unsigned char hash[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    const std::string_view ns(reinterpret_cast<const char*>(kUuidNamespace), sizeof kUuidNamespace);
    if (!digest(EVP_sha1(), ns, s->str(), hash, size)) return ctx->fail("CRYPTO_FAILED", "SHA-1 failed");
    hash[6] = static_cast<unsigned char>((hash[6] & 0x0F) | 0x50);
    hash[8] = static_cast<unsigned char>((hash[8] & 0x3F) | 0x80);
    static constexpr char digits[] = "0123456789abcdef";
    char* text = static_cast<char*>(ctx->arena->allocate(36, 1));
    std::size_t at = 0;
    for (int i = 0; i < 16; ++i) {
      if (i == 4 || i == 6 || i == 8 || i == 10) text[at++] = '-';
      text[at++] = digits[hash[i] >> 4];
      text[at++] = digits[hash[i] & 0x0F];
    }
    return set_text(out, suture::abi::Kind::String, {text, 36});
  });
}

}  // extern "C"
