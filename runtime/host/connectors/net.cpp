// net.cpp — endpoint URLs, resolution with a deadline, and the run loop that backs stream
// timeouts for the connectors.
// Pipeline position: under http_client.cpp and mllp_sender.cpp.
#include "runtime/host/connectors/net.h"

#include <netdb.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <boost/asio/ip/address.hpp>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <memory>
#include <thread>

namespace suture::host::net {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

std::string_view transport_code(TransportError error) {
  switch (error) {
    case TransportError::None: return "";
    case TransportError::Connect: return "CONNECT";
    case TransportError::Timeout: return "TIMEOUT";
    case TransportError::Tls: return "TLS";
    case TransportError::Io: return "IO";
  }
  return "IO";
}

std::string Url::host_header() const {
  std::string out = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  bool default_port = (scheme == "http" && port == "80") || (scheme == "https" && port == "443");
  if (!default_port) out += ":" + port;
  return out;
}

std::optional<Url> parse_url(std::string_view text, std::string* error) {
  auto fail = [&](std::string why) -> std::optional<Url> {
    if (error) *error = std::move(why);
    return std::nullopt;
  };
  std::size_t sep = text.find("://");
  if (sep == std::string_view::npos || sep == 0) return fail("URL needs a scheme (http://, https://, mllp://)");
  Url url;
  for (char c : text.substr(0, sep)) url.scheme += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  if (url.scheme != "http" && url.scheme != "https" && url.scheme != "mllp")
    return fail("unsupported URL scheme '" + url.scheme + "'");
  std::string_view rest = text.substr(sep + 3);
  std::size_t path_at = rest.find('/');
  std::string_view authority = rest.substr(0, path_at);
  std::string_view path = path_at == std::string_view::npos ? std::string_view{} : rest.substr(path_at);
  if (authority.find('@') != std::string_view::npos) return fail("credentials do not belong in the URL");
  if (path.find_first_of("?#") != std::string_view::npos) return fail("an endpoint URL has no query or fragment");

  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return fail("unclosed '[' in the URL host");
    url.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return fail("unexpected text after the IPv6 host");
      port = after.substr(1);
      if (port.empty()) return fail("empty port in the URL");
    }
  } else {
    std::size_t colon = authority.rfind(':');
    url.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port = authority.substr(colon + 1);
      if (port.empty()) return fail("empty port in the URL");
    }
  }
  if (url.host.empty()) return fail("URL has no host");
  if (!port.empty()) {
    unsigned value = 0;
    for (char c : port) {
      if (c < '0' || c > '9' || value > 65535) return fail("bad port in the URL");
      value = value * 10 + static_cast<unsigned>(c - '0');
    }
    if (value == 0 || value > 65535) return fail("bad port in the URL");
    url.port = std::to_string(value);
  } else {
    url.port = url.scheme == "http" ? "80" : url.scheme == "https" ? "443" : "2575";
  }
  url.base_path = std::string(path);
  while (!url.base_path.empty() && url.base_path.back() == '/') url.base_path.pop_back();
  return url;
}

namespace {

// What a lookup thread and the caller waiting for it share; the thread may outlive the wait.
struct Lookup {
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  std::vector<tcp::endpoint> endpoints;
  std::string failure;
};

void run_lookup(const std::shared_ptr<Lookup>& lookup, const std::string& host, const std::string& port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* list = nullptr;
  int rc = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &list);
  std::vector<tcp::endpoint> found;
  std::string failure;
  if (rc != 0) {
    failure = ::gai_strerror(rc);
  } else {
    for (addrinfo* a = list; a; a = a->ai_next) {
      if (a->ai_family != AF_INET && a->ai_family != AF_INET6) continue;
      tcp::endpoint ep;
      std::memcpy(ep.data(), a->ai_addr, std::min<std::size_t>(a->ai_addrlen, sizeof(sockaddr_in6)));
      ep.resize(a->ai_addrlen);
      found.push_back(ep);
    }
    ::freeaddrinfo(list);
    if (found.empty()) failure = "no IPv4 or IPv6 address";
  }
  std::lock_guard<std::mutex> lock(lookup->mu);
  lookup->endpoints = std::move(found);
  lookup->failure = std::move(failure);
  lookup->done = true;
  lookup->cv.notify_all();
}

}  // namespace

Resolver::Resolver(std::string host, std::string port) : host_(std::move(host)), port_(std::move(port)) {}

void Resolver::forget() {
  std::lock_guard<std::mutex> lock(mu_);
  cached_.clear();
}

Resolved Resolver::resolve(Deadline deadline) {
  Resolved out;
  boost::system::error_code ec;
  asio::ip::address literal = asio::ip::make_address(host_, ec);
  if (!ec) {
    out.endpoints.emplace_back(literal, static_cast<unsigned short>(std::stoul(port_)));
    return out;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!cached_.empty() && Clock::now() < cached_until_) {
      out.endpoints = cached_;
      return out;
    }
  }
  auto lookup = std::make_shared<Lookup>();
  try {
    std::thread([lookup, host = host_, port = port_] { run_lookup(lookup, host, port); }).detach();
  } catch (const std::exception&) {
    out.error = TransportError::Connect;
    out.detail = "cannot start a name lookup";
    return out;
  }
  std::unique_lock<std::mutex> lock(lookup->mu);
  if (!lookup->cv.wait_until(lock, deadline, [&] { return lookup->done; })) {
    out.error = TransportError::Timeout;
    out.detail = "name lookup of " + host_ + " timed out";
    return out;
  }
  if (!lookup->failure.empty()) {
    out.error = TransportError::Connect;
    out.detail = "cannot resolve " + host_ + ": " + lookup->failure;
    return out;
  }
  out.endpoints = lookup->endpoints;
  lock.unlock();
  std::lock_guard<std::mutex> cache_lock(mu_);
  cached_ = out.endpoints;
  cached_until_ = Clock::now() + std::chrono::seconds(30);
  return out;
}

bool run_until(asio::io_context& ioc, const bool& done, Deadline hard_deadline) {
  ioc.restart();
  while (!done) {
    if (ioc.run_one_until(hard_deadline) == 0) break;
  }
  return done;
}

bool idle_socket_is_stale(int native_handle) {
  char byte = 0;
  ssize_t n = ::recv(native_handle, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n < 0) return !(errno == EAGAIN || errno == EWOULDBLOCK);
  return true;  // 0: the peer closed it; >0: bytes nobody asked for
}

}  // namespace suture::host::net
