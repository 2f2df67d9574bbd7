// http_server.cpp — the Beast session loop for plain and TLS connections (see http_server.h).
#include "runtime/host/ingress/http_server.h"
#include "runtime/host/ingress/listen.h"

#include <atomic>
#include <optional>

#include <openssl/x509.h>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "runtime/codecs/json/writer.h"

namespace suture::host {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

std::string error_body(const std::string& status, const std::string& code, const std::string& error,
                       const std::string& extra_members) {
  std::string out = "{\"status\":";
  runtime::json::write_string(out, status);
  out += ",\"code\":";
  runtime::json::write_string(out, code);
  out += ",\"error\":";
  runtime::json::write_string(out, error);
  if (!extra_members.empty()) out += "," + extra_members;
  out += "}";
  return out;
}

namespace {

std::string percent_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += s[i] == '+' ? ' ' : s[i];
    }
  }
  return out;
}

void split_target(ServerRequest& r) {
  std::size_t q = r.target.find('?');
  r.path = r.target.substr(0, q);
  if (q == std::string::npos) return;
  std::string_view query(r.target);
  query.remove_prefix(q + 1);
  while (!query.empty()) {
    std::size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    std::size_t eq = pair.find('=');
    r.query[percent_decode(pair.substr(0, eq))] =
        eq == std::string_view::npos ? "" : percent_decode(pair.substr(eq + 1));
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
}

template <class Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
 public:
  Session(Stream stream, const HttpServerOptions& options, ServerHandler handler)
      : stream_(std::move(stream)), options_(options), handler_(std::move(handler)) {}

  void start() {
    if constexpr (std::is_same_v<Stream, beast::ssl_stream<beast::tcp_stream>>) {
      beast::get_lowest_layer(stream_).expires_after(std::chrono::milliseconds(options_.idle_timeout_ms));
      stream_.async_handshake(asio::ssl::stream_base::server, [self = this->shared_from_this()](beast::error_code ec) {
        if (!ec) {
          self->subject_ = peer_subject(self->stream_.native_handle());
          self->read();
        }
      });
    } else {
      read();
    }
  }

 private:
  void read() {
    parser_.emplace();
    parser_->body_limit(options_.max_body_bytes);
    parser_->header_limit(16 * 1024);
    beast::get_lowest_layer(stream_).expires_after(std::chrono::milliseconds(options_.idle_timeout_ms));
    http::async_read(stream_, buffer_, *parser_,
                     [self = this->shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == asio::error::eof || ec == beast::error::timeout ||
        ec == asio::error::operation_aborted || ec == asio::error::connection_reset)
      return close();
    if (ec == http::error::body_limit) {
      ServerReply reply;
      reply.status = 413;
      reply.body = error_body(
          "refused", "BODY_TOO_LARGE",
          "the body is larger than this listener's limit of " + std::to_string(options_.max_body_bytes) + " bytes");
      keep_alive_ = false;
      unread_input_ = true;
      return write(std::move(reply));
    }
    if (ec) {
      ServerReply reply;
      reply.status = 400;
      reply.body = error_body("refused", "HTTP_MALFORMED", "the request is not valid HTTP/1.1: " + ec.message());
      keep_alive_ = false;
      unread_input_ = true;
      return write(std::move(reply));
    }
    auto message = parser_->release();
    keep_alive_ = message.keep_alive();
    ServerRequest request;
    request.method = std::string(message.method_string());
    request.target = std::string(message.target());
    split_target(request);
    for (const auto& field : message) {
      std::string name(field.name_string());
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      request.headers[name] = std::string(field.value());
    }
    request.body = std::move(message.body());
    request.peer_subject = subject_;
    beast::error_code ignored;
    auto remote = beast::get_lowest_layer(stream_).socket().remote_endpoint(ignored);
    request.remote = remote.address().to_string() + ":" + std::to_string(remote.port());
    auto self = this->shared_from_this();
    auto answered = std::make_shared<std::atomic<bool>>(false);
    handler_(std::move(request), [self, answered](ServerReply reply) {
      if (answered->exchange(true)) return;
      asio::post(self->stream_.get_executor(),
                 [self, reply = std::move(reply)]() mutable { self->write(std::move(reply)); });
    });
  }

  void write(ServerReply reply) {
    auto response = std::make_shared<http::response<http::string_body>>();
    response->version(11);
    response->result(reply.status);
    response->set(http::field::server, "suture-host");
    response->set(http::field::content_type, reply.content_type);
    for (auto& [name, value] : reply.headers) response->set(name, value);
    response->keep_alive(keep_alive_);
    response->body() = std::move(reply.body);
    response->prepare_payload();
    // The clock set for reading the request has been running while the handler worked; the
    // write gets its own, or a late answer would be cut off as if the client were idle.
    beast::get_lowest_layer(stream_).expires_after(std::chrono::milliseconds(options_.idle_timeout_ms));
    http::async_write(stream_, *response,
                      [self = this->shared_from_this(), response](beast::error_code ec, std::size_t) {
                        if (ec) return self->close();
                        if (!self->keep_alive_) return self->unread_input_ ? self->drain_then_close() : self->close();
                        self->read();
                      });
  }

  // After a refusal the rest of the request (most of an oversized body, say) may still be on
  // its way. Closing with it unread makes the kernel reset the connection, and a client still
  // sending gets a broken pipe instead of the answer. So what comes is read and dropped until
  // the client closes, for at most the idle timeout in all.
  void drain_then_close() {
    if constexpr (!std::is_same_v<Stream, beast::ssl_stream<beast::tcp_stream>>) {
      beast::error_code ignored;
      stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);  // the answer is complete
    }
    beast::get_lowest_layer(stream_).expires_after(std::chrono::milliseconds(options_.idle_timeout_ms));
    drain();
  }

  void drain() {
    buffer_.consume(buffer_.size());
    stream_.async_read_some(buffer_.prepare(16 * 1024),
                            [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                              if (ec) return self->close();
                              self->drain();
                            });
  }

  void close() {
    beast::error_code ec;
    if constexpr (std::is_same_v<Stream, beast::ssl_stream<beast::tcp_stream>>) {
      beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(2));
      stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) {});
    } else {
      stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    }
  }

  Stream stream_;
  HttpServerOptions options_;
  ServerHandler handler_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::string subject_;
  bool keep_alive_ = true;
  bool unread_input_ = false;  // refused before the whole request was read
};

}  // namespace

struct HttpServer::State : std::enable_shared_from_this<HttpServer::State> {
  State(asio::io_context& context, HttpServerOptions o, ServerHandler h)
      : io(context), options(std::move(o)), handler(std::move(h)), acceptor(asio::make_strand(context)) {}
  asio::io_context& io;
  HttpServerOptions options;
  ServerHandler handler;
  tcp::acceptor acceptor;
  std::atomic<bool> stopped{false};

  void accept() {
    acceptor.async_accept(asio::make_strand(io), [self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
      if (self->stopped) return;
      if (!ec) {
        socket.set_option(tcp::no_delay(true), ec);
        if (self->options.tls) {
          auto session = std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(
              beast::ssl_stream<beast::tcp_stream>(beast::tcp_stream(std::move(socket)), *self->options.tls),
              self->options, self->handler);
          session->start();
        } else {
          auto session = std::make_shared<Session<beast::tcp_stream>>(beast::tcp_stream(std::move(socket)),
                                                                      self->options, self->handler);
          session->start();
        }
      }
      self->accept();
    });
  }
};

HttpServer::HttpServer(asio::io_context& io, HttpServerOptions options, ServerHandler handler)
    : state_(std::make_shared<State>(io, std::move(options), std::move(handler))) {}

HttpServer::~HttpServer() {
  stop();
}

std::string HttpServer::start() {
  if (std::string error = open_listener(state_->acceptor, state_->options.address, state_->options.port);
      !error.empty())
    return error;
  state_->accept();
  return {};
}

void HttpServer::stop() {
  if (!state_ || state_->stopped.exchange(true)) return;
  asio::post(state_->acceptor.get_executor(), [state = state_] {
    beast::error_code ec;
    state->acceptor.close(ec);
  });
}

std::uint16_t HttpServer::port() const {
  beast::error_code ec;
  return state_->acceptor.local_endpoint(ec).port();
}

}  // namespace suture::host
