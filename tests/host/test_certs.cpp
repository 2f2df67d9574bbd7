// test_certs.cpp — certificate authority and leaf certificates for tests (see test_certs.h).
#include "tests/host/test_certs.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <atomic>
#include <memory>
#include <stdexcept>

namespace suture::test {

namespace {

struct OpenSslFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
  void operator()(X509* cert) const { X509_free(cert); }
  void operator()(BIO* bio) const { BIO_free(bio); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, OpenSslFree>;
using CertPtr = std::unique_ptr<X509, OpenSslFree>;
using BioPtr = std::unique_ptr<BIO, OpenSslFree>;

void require(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("test certificate: ") + what);
}

template <class Write>
std::string to_pem(Write write) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  require(bio != nullptr && write(bio.get()) == 1, "cannot write PEM");
  char* data = nullptr;
  long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(size));
}

TestCertificate to_pem_pair(X509* cert, EVP_PKEY* key) {
  return {to_pem([&](BIO* bio) { return PEM_write_bio_X509(bio, cert); }),
          to_pem([&](BIO* bio) { return PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr); })};
}

BioPtr read_only_bio(const std::string& pem) {
  return BioPtr(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

// A certificate without extensions or signature: version 3, a serial no other test
// certificate of this process has, an hour in the past to a day ahead, the subject and key.
CertPtr unsigned_certificate(const SubjectAttributes& subject, EVP_PKEY* key) {
  static std::atomic<long> next_serial{1};
  CertPtr cert(X509_new());
  require(cert != nullptr, "X509_new");
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), next_serial++);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24L * 3600);
  require(X509_set_pubkey(cert.get(), key) == 1, "X509_set_pubkey");
  X509_NAME* name = X509_get_subject_name(cert.get());
  for (const auto& [field, value] : subject) {
    require(X509_NAME_add_entry_by_txt(name, field.c_str(), MBSTRING_UTF8,
                                       reinterpret_cast<const unsigned char*>(value.c_str()), -1, -1, 0) == 1,
            "bad subject attribute");
  }
  return cert;
}

void add_extension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value.c_str());
  require(extension != nullptr, "bad extension");
  X509_add_ext(cert, extension, -1);
  X509_EXTENSION_free(extension);
}

}  // namespace

TestCertificate make_test_ca(const std::string& common_name) {
  KeyPtr key(EVP_EC_gen("P-256"));
  require(key != nullptr, "EC key generation");
  CertPtr cert = unsigned_certificate({{"CN", common_name}}, key.get());
  X509_set_issuer_name(cert.get(), X509_get_subject_name(cert.get()));
  add_extension(cert.get(), cert.get(), NID_basic_constraints, "critical,CA:TRUE");
  add_extension(cert.get(), cert.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
  add_extension(cert.get(), cert.get(), NID_subject_key_identifier, "hash");
  require(X509_sign(cert.get(), key.get(), EVP_sha256()) > 0, "signing the CA");
  return to_pem_pair(cert.get(), key.get());
}

TestCertificate issue_test_certificate(const TestCertificate& issuer, const SubjectAttributes& subject,
                                       CertificateUse use, const std::string& alt_names) {
  BioPtr issuer_cert_bio = read_only_bio(issuer.cert_pem);
  CertPtr issuer_cert(PEM_read_bio_X509(issuer_cert_bio.get(), nullptr, nullptr, nullptr));
  BioPtr issuer_key_bio = read_only_bio(issuer.key_pem);
  KeyPtr issuer_key(PEM_read_bio_PrivateKey(issuer_key_bio.get(), nullptr, nullptr, nullptr));
  require(issuer_cert != nullptr && issuer_key != nullptr, "cannot read the issuer");

  KeyPtr key(EVP_EC_gen("P-256"));
  require(key != nullptr, "EC key generation");
  CertPtr cert = unsigned_certificate(subject, key.get());
  X509_set_issuer_name(cert.get(), X509_get_subject_name(issuer_cert.get()));
  add_extension(cert.get(), issuer_cert.get(), NID_basic_constraints, "critical,CA:FALSE");
  add_extension(cert.get(), issuer_cert.get(), NID_key_usage, "critical,digitalSignature");
  add_extension(cert.get(), issuer_cert.get(), NID_ext_key_usage,
                use == CertificateUse::Server ? "serverAuth" : "clientAuth");
  add_extension(cert.get(), issuer_cert.get(), NID_authority_key_identifier, "keyid:always");
  if (!alt_names.empty()) add_extension(cert.get(), issuer_cert.get(), NID_subject_alt_name, alt_names);
  require(X509_sign(cert.get(), issuer_key.get(), EVP_sha256()) > 0, "signing the certificate");
  return to_pem_pair(cert.get(), key.get());
}

}  // namespace suture::test
