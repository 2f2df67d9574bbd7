// test_certs.h — certificates made fresh for tests that speak TLS: a self-signed certificate
// authority, and server or client certificates it issues (EC P-256, valid from an hour ago
// for a day), all as PEM text.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace suture::test {

struct TestCertificate {
  std::string cert_pem;
  std::string key_pem;
};

// The attributes of a subject in certificate order: {{"O", "Hospital"}, {"CN", "lab"}} is
// printed "CN=lab,O=Hospital" in RFC 2253, which lists the last attribute first.
using SubjectAttributes = std::vector<std::pair<std::string, std::string>>;

enum class CertificateUse { Server, Client };

// A self-signed certificate authority named `common_name`.
TestCertificate make_test_ca(const std::string& common_name);

// A certificate for `subject` signed by `issuer`, for TLS servers (extended key usage
// serverAuth) or clients (clientAuth); `alt_names` is a subjectAltName value such as
// "DNS:localhost,IP:127.0.0.1", or "" for none.
TestCertificate issue_test_certificate(const TestCertificate& issuer, const SubjectAttributes& subject,
                                       CertificateUse use, const std::string& alt_names = "");

}  // namespace suture::test
