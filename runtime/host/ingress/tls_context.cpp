// tls_context.cpp — server TLS contexts for listeners (see tls_context.h).
#include "runtime/host/ingress/tls_context.h"

namespace suture::host {

std::variant<std::shared_ptr<boost::asio::ssl::context>, std::string> tls_context(const TlsConfig& tls) {
  namespace ssl = boost::asio::ssl;
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  boost::system::error_code ec;
  context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                           ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1,
                       ec);
  context->use_certificate_chain_file(tls.cert_file, ec);
  if (ec) return "cannot use the certificate " + tls.cert_file + ": " + ec.message();
  context->use_private_key_file(tls.key_file, ssl::context::pem, ec);
  if (ec) return "cannot use the private key " + tls.key_file + ": " + ec.message();
  if (!tls.client_ca_file.empty()) {
    context->load_verify_file(tls.client_ca_file, ec);
    if (ec) return "cannot read the client CA " + tls.client_ca_file + ": " + ec.message();
    context->set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert, ec);
  }
  return context;
}

}  // namespace suture::host
