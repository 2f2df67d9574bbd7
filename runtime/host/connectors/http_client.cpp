// http_client.cpp — the blocking HTTP/1.1 client: Beast async operations on a private
// io_context per connection, run on the calling thread, each bounded by the stream's deadline
// (tcp_stream::expires_at) and a backstop in net::run_until, so a slow server cannot hold a
// delivery worker. Idle keep-alive connections wait in a small pool for the next caller.
#include "runtime/host/connectors/http_client.h"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <exception>

namespace suture::host {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using boost::system::error_code;
using net::Clock;
using net::Deadline;
using net::TransportError;

namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

// The peer went away without answering: on a connection that sat idle in the pool this means
// the server closed it meanwhile, and the request may go again on a fresh one.
bool closed_before_answer(const error_code& ec) {
  return ec == http::error::end_of_stream || ec == asio::error::eof || ec == asio::error::connection_reset ||
         ec == asio::error::broken_pipe || ec == ssl::error::stream_truncated;
}

constexpr auto kMaxIdleAge = std::chrono::seconds(50);

}  // namespace

std::string HttpResponse::header(std::string_view name) const {
  for (const Header& h : headers)
    if (iequals(h.first, name)) return h.second;
  return {};
}

struct HttpClient::Tls {
  ssl::context context{ssl::context::tls_client};
};

struct HttpClient::Connection {
  asio::io_context ioc;  // first member: destroyed last, after the streams that use it
  std::optional<beast::tcp_stream> plain;
  std::optional<beast::ssl_stream<beast::tcp_stream>> secure;
  beast::flat_buffer buffer;
  Clock::time_point idle_since{};

  beast::tcp_stream& lowest() { return secure ? beast::get_lowest_layer(*secure) : *plain; }
  template <class Body>
  void with_stream(Body&& body) {
    if (secure)
      body(*secure);
    else
      body(*plain);
  }
};

HttpClient::HttpClient(net::Url base, HttpClientOptions options)
    : base_(std::move(base)), options_(std::move(options)), resolver_(base_.host, base_.port) {
  if (!base_.tls()) return;
  try {
    tls_ = std::make_unique<Tls>();
    error_code ec;
    tls_->context.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                                  ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1,
                              ec);
    tls_->context.set_verify_mode(ssl::verify_peer, ec);
    if (options_.ca_file)
      tls_->context.load_verify_file(*options_.ca_file, ec);
    else
      tls_->context.set_default_verify_paths(ec);
    if (ec) setup_error_ = "cannot load TLS trust: " + ec.message();
  } catch (const std::exception& e) {
    setup_error_ = std::string("cannot set up TLS: ") + e.what();
  }
}

HttpClient::~HttpClient() = default;

std::unique_ptr<HttpClient::Connection> HttpClient::take_idle() {
  std::lock_guard<std::mutex> lock(mu_);
  while (!idle_.empty()) {
    std::unique_ptr<Connection> c = std::move(idle_.back());
    idle_.pop_back();
    if (Clock::now() - c->idle_since > kMaxIdleAge || c->buffer.size() != 0) continue;
    if (net::idle_socket_is_stale(c->lowest().socket().native_handle())) continue;
    return c;
  }
  return nullptr;
}

void HttpClient::put_idle(std::unique_ptr<Connection> connection) {
  connection->idle_since = Clock::now();
  std::lock_guard<std::mutex> lock(mu_);
  if (idle_.size() < options_.max_idle_connections) idle_.push_back(std::move(connection));
}

HttpResponse HttpClient::connect(Connection& c, Deadline deadline) {
  HttpResponse out;
  auto fail = [&](TransportError error, std::string detail) {
    out.error = error;
    out.error_detail = std::move(detail);
    return out;
  };
  const std::string where = base_.host + ":" + base_.port;
  if (!setup_error_.empty()) return fail(TransportError::Tls, setup_error_);
  net::Resolved resolved = resolver_.resolve(deadline);
  if (resolved.error != TransportError::None) return fail(resolved.error, resolved.detail);

  if (tls_)
    c.secure.emplace(c.ioc, tls_->context);
  else
    c.plain.emplace(c.ioc);
  beast::tcp_stream& stream = c.lowest();
  stream.expires_at(deadline);
  bool done = false;
  error_code ec;
  stream.async_connect(resolved.endpoints, [&](const error_code& e, const asio::ip::tcp::endpoint&) {
    ec = e;
    done = true;
  });
  if (!net::run_until(c.ioc, done, net::backstop(deadline)) || ec == beast::error::timeout) {
    resolver_.forget();
    return fail(TransportError::Timeout, "connecting to " + where + " timed out");
  }
  if (ec) {
    resolver_.forget();
    return fail(TransportError::Connect, "cannot connect to " + where + ": " + ec.message());
  }
  error_code ignored;
  stream.socket().set_option(asio::ip::tcp::no_delay(true), ignored);
  if (!tls_) return out;

  SSL* handle = c.secure->native_handle();
  error_code not_literal;
  asio::ip::make_address(base_.host, not_literal);
  if (not_literal) {
    // SNI, and the certificate must name the host.
    SSL_set_tlsext_host_name(handle, base_.host.c_str());
    SSL_set1_host(handle, base_.host.c_str());
  } else {
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(handle), base_.host.c_str());
  }
  done = false;
  c.secure->async_handshake(ssl::stream_base::client, [&](const error_code& e) {
    ec = e;
    done = true;
  });
  if (!net::run_until(c.ioc, done, net::backstop(deadline)) || ec == beast::error::timeout)
    return fail(TransportError::Timeout, "TLS handshake with " + where + " timed out");
  if (ec) return fail(TransportError::Tls, "TLS handshake with " + where + " failed: " + ec.message());
  return out;
}

namespace {

struct Exchange {
  HttpResponse response;
  bool keep_alive = false;
  bool closed_before_answer = false;  // the connection was dead before any answer byte
};

}  // namespace

HttpResponse HttpClient::send(const HttpRequest& request, Deadline deadline) {
  try {
    for (int attempt = 0;; ++attempt) {
      std::unique_ptr<Connection> c = take_idle();
      const bool reused = c != nullptr;
      Deadline exchange_deadline = deadline;
      if (!c) {
        c = std::make_unique<Connection>();
        const Clock::time_point started = Clock::now();
        HttpResponse failed = connect(*c, started + std::chrono::milliseconds(options_.connect_timeout_ms));
        if (!failed.ok()) return failed;
        exchange_deadline = deadline + (Clock::now() - started);
      }

      Exchange x;
      auto fail = [&](TransportError error, std::string detail) {
        x.response.error = error;
        x.response.error_detail = std::move(detail);
      };

      http::request<http::string_body> req;
      http::verb verb = http::string_to_verb(request.method);
      if (verb == http::verb::unknown)
        req.method_string(request.method);
      else
        req.method(verb);
      std::string target = base_.base_path + request.target;
      req.target(target.empty() ? std::string("/") : target);
      req.version(11);
      req.set(http::field::host, base_.host_header());
      req.set(http::field::user_agent, "suture-host");
      for (const Header& h : request.headers) req.insert(h.first, h.second);
      req.body() = request.body;
      req.prepare_payload();

      c->lowest().expires_at(exchange_deadline);
      bool done = false;
      error_code ec;
      c->with_stream([&](auto& stream) {
        http::async_write(stream, req, [&](const error_code& e, std::size_t) {
          ec = e;
          done = true;
        });
      });
      if (!net::run_until(c->ioc, done, net::backstop(exchange_deadline)) || ec == beast::error::timeout) {
        fail(TransportError::Timeout, "sending the request timed out");
      } else if (ec) {
        fail(TransportError::Io, "sending the request failed: " + ec.message());
        x.closed_before_answer = true;
      } else {
        http::response_parser<http::string_body> parser;
        parser.body_limit(options_.max_body_bytes);
        parser.header_limit(64 * 1024);
        done = false;
        c->with_stream([&](auto& stream) {
          http::async_read(stream, c->buffer, parser, [&](const error_code& e, std::size_t) {
            ec = e;
            done = true;
          });
        });
        if (!net::run_until(c->ioc, done, net::backstop(exchange_deadline)) || ec == beast::error::timeout) {
          fail(TransportError::Timeout, "no complete answer before the timeout");
        } else if (ec == http::error::body_limit) {
          fail(TransportError::Io, "answer larger than " + std::to_string(options_.max_body_bytes) + " bytes");
        } else if (ec) {
          fail(TransportError::Io, "reading the answer failed: " + ec.message());
          x.closed_before_answer = !parser.got_some() && closed_before_answer(ec);
        } else {
          http::response<http::string_body>& res = parser.get();
          x.response.status = res.result_int();
          x.response.reason = std::string(res.reason());
          for (const auto& field : res)
            x.response.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
          x.response.body = std::move(res.body());
          x.keep_alive = res.keep_alive();
        }
      }

      if (x.response.ok()) {
        if (x.keep_alive) put_idle(std::move(c));
        return std::move(x.response);
      }
      if (reused && x.closed_before_answer && attempt == 0) continue;
      return std::move(x.response);
    }
  } catch (const std::exception& e) {
    HttpResponse out;
    out.error = TransportError::Io;
    out.error_detail = std::string("internal error: ") + e.what();
    return out;
  }
}

}  // namespace suture::host
