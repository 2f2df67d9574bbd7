// net.h — what every outbound connector shares below the protocol: endpoint URLs, deadlines,
// transport failure kinds, and name resolution that gives up at a deadline.
// Pipeline position: under http_client.h and the MLLP sender; nothing above connectors/ sees it.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace suture::host::net {

using Clock = std::chrono::steady_clock;
using Deadline = Clock::time_point;

// Why an exchange produced no answer. Every one is transient for delivery.
enum class TransportError { None, Connect, Timeout, Tls, Io };

// The stable code a DeliveryResult carries: "CONNECT", "TIMEOUT", "TLS", "IO" ("" for None).
std::string_view transport_code(TransportError error);

// scheme://host[:port][/base] — scheme one of http, https, mllp. The base path never ends in '/'.
struct Url {
  std::string scheme;
  std::string host;  // without IPv6 brackets
  std::string port;  // always set: the scheme's default when the URL has none
  std::string base_path;

  bool tls() const { return scheme == "https"; }
  // What the Host header says: host, bracketed when IPv6, with the port unless it is the default.
  std::string host_header() const;
};

// Parses an endpoint URL; on failure returns nullopt and says why in `error`.
std::optional<Url> parse_url(std::string_view text, std::string* error);

struct Resolved {
  std::vector<boost::asio::ip::tcp::endpoint> endpoints;
  TransportError error = TransportError::None;
  std::string detail;
};

// Resolves one host:port, remembering the answer for a while. getaddrinfo cannot be cancelled,
// so a lookup runs on its own short-lived thread and the caller stops waiting at the deadline
// (the lookup then finishes on its own and is forgotten). Thread-safe.
class Resolver {
 public:
  Resolver(std::string host, std::string port);
  Resolved resolve(Deadline deadline);
  void forget();  // after a failed connect: the next attempt looks the name up again

 private:
  std::string host_;
  std::string port_;
  std::mutex mu_;
  std::vector<boost::asio::ip::tcp::endpoint> cached_;
  Clock::time_point cached_until_{};
};

// Runs `ioc` on the calling thread until `done` is set or the hard deadline passes; returns
// `done`. The soft deadlines live on the streams (expires_at); this is the backstop.
bool run_until(boost::asio::io_context& ioc, const bool& done, Deadline hard_deadline);

// True when an idle socket can no longer carry a request: the peer closed it, reset it, or
// sent something nobody asked for.
bool idle_socket_is_stale(int native_handle);

// The hard deadline that backs a soft one: generous, since the stream's own timer should fire
// first; it only matters if it does not.
inline Deadline backstop(Deadline soft) {
  return soft + std::chrono::seconds(2);
}

}  // namespace suture::host::net
