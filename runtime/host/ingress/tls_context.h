// tls_context.h — the server TLS context of a listener: TLS 1.2 or later, the listener's
// certificate chain and private key, and, when `client_ca` is set, client certificates
// required and verified against it (mTLS).
// Pipeline position: ingress; the HTTP and MLLP servers take the context it builds.
#pragma once

#include <memory>
#include <string>
#include <variant>

#include <boost/asio/ssl/context.hpp>

#include "runtime/host/config/config.h"

namespace suture::host {

// The context, or why it cannot be built (a file that cannot be read or used).
std::variant<std::shared_ptr<boost::asio::ssl::context>, std::string> tls_context(const TlsConfig& tls);

}  // namespace suture::host
