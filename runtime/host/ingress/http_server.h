// http_server.h — an HTTP/1.1 server on Boost.Beast for one listener (plain or TLS, optionally
// requiring client certificates): reads requests with a body limit, hands each to a handler
// with a one-shot responder that may be called from any thread (after the store's commit, for
// instance), and keeps connections alive. A body over the limit is answered 413 and the
// connection closed; a malformed request 400 — in both cases what the client still sends is
// read and dropped until it closes, so that it gets the answer. Never throws out of the io
// threads.
// Pipeline position: ingress for webhooks and FHIR; also serves the admin listener.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>

namespace suture::host {

struct ServerRequest {
  std::string method;
  std::string target;  // as sent
  std::string path;    // target without the query, percent-decoding not applied
  std::map<std::string, std::string> query;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::string peer_subject;  // mTLS: the client certificate's subject (RFC 2253), else ""
  std::string remote;        // "address:port"
  std::string header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

struct ServerReply {
  unsigned status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
};

// Call exactly once; safe from any thread.
using ServerResponder = std::function<void(ServerReply)>;
using ServerHandler = std::function<void(ServerRequest&&, ServerResponder)>;

struct HttpServerOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 0;  // 0: any free port (see HttpServer::port())
  std::size_t max_body_bytes = 1 << 20;
  std::shared_ptr<boost::asio::ssl::context> tls;  // null: plain HTTP
  std::uint32_t idle_timeout_ms = 30000;
};

class HttpServer {
 public:
  HttpServer(boost::asio::io_context& io, HttpServerOptions options, ServerHandler handler);
  ~HttpServer();
  // Binds and starts accepting; "" when listening, else why not.
  std::string start();
  void stop();
  std::uint16_t port() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

// {"code":…,"error":…} plus extra members, as every refusal is written.
std::string error_body(const std::string& status, const std::string& code, const std::string& error,
                       const std::string& extra_members = "");

}  // namespace suture::host
