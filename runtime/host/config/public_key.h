// public_key.h — reading the PEM public key of an RS256 token issuer: a SubjectPublicKeyInfo
// block ("BEGIN PUBLIC KEY") or a certificate ("BEGIN CERTIFICATE") whose key is used.
// Shared by the configuration check (config.cpp refuses what this cannot read) and the
// authenticator (runtime/host/ingress/auth.cpp), so both accept exactly the same keys.
#pragma once

#include <string>

struct evp_pkey_st;  // OpenSSL's EVP_PKEY

namespace suture::host {

// The key, owned by the caller (free with EVP_PKEY_free), or nullptr when `pem` holds neither
// form. Clears OpenSSL's error queue.
evp_pkey_st* read_public_key_pem(const std::string& pem);

// "" when `pem` holds an RSA public key of at least 2048 bits, else what is wrong with it.
std::string rs256_key_problem(const std::string& pem);

}  // namespace suture::host
