// mllp_server.cpp — MLLP framing, in-order acknowledgements, and the ACK builder (see
// mllp_server.h).
#include "runtime/host/ingress/mllp_server.h"
#include "runtime/host/ingress/listen.h"

#include <atomic>
#include <chrono>
#include <ctime>
#include <deque>
#include <mutex>
#include <optional>

#include <openssl/x509.h>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>

#include <array>

namespace suture::host {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

constexpr char kStart = 0x0b, kEnd = 0x1c, kCr = 0x0d;

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::size_t from = 0;
  while (true) {
    std::size_t at = s.find(sep, from);
    out.push_back(s.substr(from, at == std::string::npos ? std::string::npos : at - from));
    if (at == std::string::npos) break;
    from = at + 1;
  }
  return out;
}

// Escapes ER7 delimiters in free text (ERR-8 and MSA-3).
std::string er7_text(const std::string& text, char field, char component) {
  std::string out;
  for (char c : text) {
    if (c == field)
      out += "\\F\\";
    else if (c == component)
      out += "\\S\\";
    else if (c == '\\')
      out += "\\E\\";
    else if (c == '~')
      out += "\\R\\";
    else if (c == '&')
      out += "\\T\\";
    else if (c == '\r' || c == '\n')
      out += ' ';
    else
      out += c;
  }
  return out;
}

}  // namespace

std::string hl7_ack(const std::string& message, const std::string& code, const std::string& error_code,
                    const std::string& location, const std::string& text) {
  std::string msh = message.substr(0, message.find_first_of("\r\n"));
  char field = msh.size() > 3 && msh.compare(0, 3, "MSH") == 0 ? msh[3] : '|';
  char component = msh.size() > 4 ? msh[4] : '^';
  std::vector<std::string> f = msh.compare(0, 3, "MSH") == 0 ? split(msh, field) : std::vector<std::string>{"MSH"};
  f.resize(std::max<std::size_t>(f.size(), 12));
  // f[0] = "MSH", f[1] = encoding characters (MSH-2), f[n] = MSH-(n+1).
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%d%H%M%S", &tm);
  std::string trigger;
  if (!f[8].empty()) {
    auto parts = split(f[8], component);
    if (parts.size() > 1) trigger = parts[1];
  }
  std::string encoding = f[1].empty() ? std::string("^~\\&") : f[1];
  std::string control = f[9];
  std::string out = "MSH" + std::string(1, field) + encoding + field + f[4] + field + f[5] + field + f[2] + field +
                    f[3] + field + stamp + field + field + "ACK" + (trigger.empty() ? "" : component + trigger) +
                    component + "ACK" + field + "ACK" + control + field + (f[10].empty() ? "P" : f[10]) + field +
                    (f[11].empty() ? "2.5" : f[11]) + "\r";
  out += "MSA" + std::string(1, field) + code + field + control;
  if (!text.empty()) out += field + er7_text(text, field, component);
  out += "\r";
  if (!error_code.empty()) {
    // ERR-2 location, ERR-3 HL7 error code (207 application internal error, 100 segment
    // sequence, 101 required field, 102 data type), ERR-4 severity, ERR-8 the text.
    std::string hl7_code =
        error_code == "NO_ROUTE" ? "200^Unsupported message type^HL70357" : "207^Application internal error^HL70357";
    out += "ERR" + std::string(1, field) + field + er7_text(location, field, component) + field + hl7_code + field +
           "E" + field + field + field + field + er7_text(error_code + ": " + text, field, component) + "\r";
  }
  return out;
}

template <class Stream>
class MllpSession : public std::enable_shared_from_this<MllpSession<Stream>> {
 public:
  MllpSession(Stream stream, MllpServerOptions options, MllpHandler handler, asio::any_io_executor executor)
      : stream_(std::move(stream)),
        options_(std::move(options)),
        handler_(std::move(handler)),
        executor_(executor),
        idle_(executor) {}

  void start() {
    if constexpr (std::is_same_v<Stream, asio::ssl::stream<tcp::socket>>) {
      arm_idle_timer();
      stream_.async_handshake(asio::ssl::stream_base::server, [self = this->shared_from_this()](auto ec) {
        if (ec) return;
        self->subject_ = peer_subject(self->stream_.native_handle());
        self->read();
      });
    } else {
      read();
    }
  }

 private:
  struct Slot {
    std::optional<std::string> ack;
  };

  tcp::socket& socket() {
    if constexpr (std::is_same_v<Stream, asio::ssl::stream<tcp::socket>>)
      return stream_.next_layer();
    else
      return stream_;
  }

  void read() {
    arm_idle_timer();
    stream_.async_read_some(asio::buffer(chunk_),
                            [self = this->shared_from_this()](boost::system::error_code ec, std::size_t n) {
                              if (ec) return self->closing_ = true, self->idle_.cancel(), void();
                              self->consume(std::string_view(self->chunk_.data(), n));
                              if (!self->closing_) self->read();
                            });
  }

  // A connection that sends nothing for idle_timeout_ms (including a TLS handshake that never
  // completes) is closed; ACKs still owed are written first when the peer reads them.
  void arm_idle_timer() {
    if (options_.idle_timeout_ms == 0) return;
    idle_.expires_after(std::chrono::milliseconds(options_.idle_timeout_ms));
    idle_.async_wait([weak = this->weak_from_this()](boost::system::error_code ec) {
      if (ec) return;  // re-armed or cancelled
      if (auto self = weak.lock()) {
        boost::system::error_code ignored;
        self->socket().shutdown(tcp::socket::shutdown_both, ignored);
        self->socket().close(ignored);
        self->closing_ = true;
      }
    });
  }

  void consume(std::string_view bytes) {
    for (char c : bytes) {
      if (!in_frame_) {
        if (c == kStart) in_frame_ = true, frame_.clear(), oversized_ = false;
        continue;
      }
      if (c == kEnd) {
        end_seen_ = true;
        continue;
      }
      if (end_seen_) {
        end_seen_ = false;
        if (c == kCr) {
          in_frame_ = false;
          dispatch();
          continue;
        }
        frame_ += kEnd;  // a FS not followed by CR belongs to the content
      }
      if (frame_.size() >= options_.max_frame_bytes) {
        oversized_ = true;
        continue;
      }
      frame_ += c;
    }
  }

  void dispatch() {
    auto index = slots_.size() + first_slot_;
    slots_.emplace_back();
    if (oversized_) {
      complete(index, hl7_ack(frame_, "AR", "MESSAGE_TOO_LARGE", "",
                              "the message is larger than this listener's limit of " +
                                  std::to_string(options_.max_frame_bytes) + " bytes"));
      closing_after_flush_ = true;
      return;
    }
    MllpFrame frame{std::move(frame_), subject_, remote()};
    frame_.clear();
    auto self = this->shared_from_this();
    auto answered = std::make_shared<std::atomic<bool>>(false);
    handler_(std::move(frame), [self, index, answered](std::string ack) {
      if (answered->exchange(true)) return;
      asio::post(self->executor_,
                 [self, index, ack = std::move(ack)]() mutable { self->complete(index, std::move(ack)); });
    });
  }

  std::string remote() {
    boost::system::error_code ec;
    auto r = socket().remote_endpoint(ec);
    return ec ? std::string() : r.address().to_string() + ":" + std::to_string(r.port());
  }

  // ACKs leave in the order their messages came.
  void complete(std::size_t index, std::string ack) {
    slots_[index - first_slot_].ack = std::move(ack);
    flush();
  }

  void flush() {
    if (writing_) return;
    std::string out;
    while (!slots_.empty() && slots_.front().ack) {
      out += kStart;
      out += *slots_.front().ack;
      out += kEnd;
      out += kCr;
      slots_.pop_front();
      ++first_slot_;
    }
    if (out.empty()) return;
    writing_ = true;
    auto buffer = std::make_shared<std::string>(std::move(out));
    asio::async_write(stream_, asio::buffer(*buffer),
                      [self = this->shared_from_this(), buffer](boost::system::error_code ec, std::size_t) {
                        self->writing_ = false;
                        if (ec) return;
                        if (self->closing_after_flush_ && self->slots_.empty()) {
                          boost::system::error_code ignored;
                          self->socket().shutdown(tcp::socket::shutdown_both, ignored);
                          self->closing_ = true;
                          return;
                        }
                        self->flush();
                      });
  }

  Stream stream_;
  MllpServerOptions options_;
  MllpHandler handler_;
  asio::any_io_executor executor_;
  asio::steady_timer idle_;
  std::array<char, 16384> chunk_{};
  std::string frame_;
  bool in_frame_ = false, end_seen_ = false, oversized_ = false;
  std::deque<Slot> slots_;
  std::size_t first_slot_ = 0;
  bool writing_ = false, closing_ = false, closing_after_flush_ = false;
  std::string subject_;
};

struct MllpServer::State : std::enable_shared_from_this<MllpServer::State> {
  State(asio::io_context& context, MllpServerOptions o, MllpHandler h)
      : io(context), options(std::move(o)), handler(std::move(h)), acceptor(asio::make_strand(context)) {}
  asio::io_context& io;
  MllpServerOptions options;
  MllpHandler handler;
  tcp::acceptor acceptor;
  std::atomic<bool> stopped{false};

  void accept() {
    auto strand = asio::make_strand(io);
    acceptor.async_accept(strand, [self = shared_from_this(), strand](boost::system::error_code ec,
                                                                      tcp::socket socket) {
      if (self->stopped) return;
      if (!ec) {
        socket.set_option(tcp::no_delay(true), ec);
        if (self->options.tls) {
          std::make_shared<MllpSession<asio::ssl::stream<tcp::socket>>>(
              asio::ssl::stream<tcp::socket>(std::move(socket), *self->options.tls), self->options, self->handler,
              strand)
              ->start();
        } else {
          std::make_shared<MllpSession<tcp::socket>>(std::move(socket), self->options, self->handler, strand)->start();
        }
      }
      self->accept();
    });
  }
};

MllpServer::MllpServer(asio::io_context& io, MllpServerOptions options, MllpHandler handler)
    : state_(std::make_shared<State>(io, std::move(options), std::move(handler))) {}

MllpServer::~MllpServer() {
  stop();
}

std::string MllpServer::start() {
  if (std::string error = open_listener(state_->acceptor, state_->options.address, state_->options.port);
      !error.empty())
    return error;
  state_->accept();
  return {};
}

void MllpServer::stop() {
  if (!state_ || state_->stopped.exchange(true)) return;
  asio::post(state_->acceptor.get_executor(), [state = state_] {
    boost::system::error_code ec;
    state->acceptor.close(ec);
  });
}

std::uint16_t MllpServer::port() const {
  boost::system::error_code ec;
  return state_->acceptor.local_endpoint(ec).port();
}

}  // namespace suture::host
