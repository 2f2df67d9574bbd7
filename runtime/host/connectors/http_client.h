// http_client.h — a blocking HTTP/1.1 client for one endpoint (http or https), with a small
// pool of keep-alive connections shared by the threads that call it. Each exchange is bounded:
// connecting (lookup, TCP, TLS) by the connect budget, writing and reading by the deadline.
// Pipeline position: under the Odoo, FHIR and webhook connectors; Beast stays inside the .cpp.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "runtime/host/connectors/net.h"

namespace suture::host {

using Header = std::pair<std::string, std::string>;

struct HttpRequest {
  std::string method = "POST";
  std::string target;           // path and query, appended to the endpoint's base path ("/jsonrpc")
  std::vector<Header> headers;  // Host, Content-Length and User-Agent are set by the client
  std::string body;
};

struct HttpResponse {
  net::TransportError error = net::TransportError::None;
  std::string error_detail;  // why, when error is set (no payload bytes in it)
  std::uint32_t status = 0;
  std::string reason;
  std::vector<Header> headers;
  std::string body;

  bool ok() const { return error == net::TransportError::None; }
  // The first header of that name (case-insensitive), or "".
  std::string header(std::string_view name) const;
};

struct HttpClientOptions {
  std::uint32_t connect_timeout_ms = 10000;
  std::optional<std::string> ca_file;  // PEM trust for https; default: the system's
  std::size_t max_idle_connections = 8;
  std::size_t max_body_bytes = 16u << 20;  // larger answers fail with IO
};

class HttpClient {
 public:
  // `base` comes from net::parse_url with scheme http or https.
  HttpClient(net::Url base, HttpClientOptions options);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends one request and waits for the whole answer. Writing and reading must finish by
  // `deadline`; a new connection gets its own connect budget on top (the deadline moves by
  // what connecting took). Reuses an idle connection when there is one; a reused connection
  // that turns out closed before answering is replaced once. Never throws.
  HttpResponse send(const HttpRequest& request, net::Deadline deadline);

  const net::Url& url() const { return base_; }
  // TLS setup failed (unreadable CA file…): every send then fails with TLS and this reason.
  const std::string& setup_error() const { return setup_error_; }

 private:
  struct Connection;
  struct Tls;
  std::unique_ptr<Connection> take_idle();
  void put_idle(std::unique_ptr<Connection> connection);
  HttpResponse connect(Connection& connection, net::Deadline deadline);

  net::Url base_;
  HttpClientOptions options_;
  net::Resolver resolver_;
  std::unique_ptr<Tls> tls_;
  std::string setup_error_;
  std::mutex mu_;
  std::vector<std::unique_ptr<Connection>> idle_;
};

}  // namespace suture::host
