// public_key.cpp — PEM public keys (SPKI or certificate) for RS256 issuers, with libcrypto.
#include "runtime/host/config/public_key.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

namespace suture::host {

evp_pkey_st* read_public_key_pem(const std::string& pem) {
  // PEM readers want the END line terminated.
  std::string text = pem;
  if (text.empty() || text.back() != '\n') text += '\n';
  EVP_PKEY* key = nullptr;
  if (BIO* bio = BIO_new_mem_buf(text.data(), static_cast<int>(text.size()))) {
    key = PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
  }
  if (key == nullptr) {
    if (BIO* bio = BIO_new_mem_buf(text.data(), static_cast<int>(text.size()))) {
      if (X509* certificate = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) {
        key = X509_get_pubkey(certificate);
        X509_free(certificate);
      }
      BIO_free(bio);
    }
  }
  ERR_clear_error();
  return key;
}

std::string rs256_key_problem(const std::string& pem) {
  EVP_PKEY* key = read_public_key_pem(pem);
  if (key == nullptr) {
    return "is not a PEM public key (-----BEGIN PUBLIC KEY----- or -----BEGIN CERTIFICATE-----)";
  }
  std::string problem;
  if (EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA) {
    problem = "is not an RSA key, which RS256 needs";
  } else if (int bits = EVP_PKEY_get_bits(key); bits < 2048) {
    problem = "is a " + std::to_string(bits) + "-bit RSA key; RS256 needs at least 2048 bits";
  }
  EVP_PKEY_free(key);
  return problem;
}

}  // namespace suture::host
