// listen.h — what the HTTP and MLLP servers share: opening a listening socket on an address
// and port, and the subject of a verified client certificate.
// Pipeline position: ingress, below http_server and mllp_server.
#pragma once

#include <cstdint>
#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <openssl/ssl.h>

namespace suture::host {

// Opens, binds (with SO_REUSEADDR) and listens; "" or why not.
std::string open_listener(boost::asio::ip::tcp::acceptor& acceptor, const std::string& address, std::uint16_t port);

// The peer certificate's subject in RFC 2253 form ("CN=lab,O=Hospital"), or "" when none.
std::string peer_subject(SSL* ssl);

}  // namespace suture::host
