// mllp_sender.cpp — HL7 v2 over MLLP (mllp://host:port): <VT>message<FS><CR> out, one ACK
// frame back, judged by MSA-1: AA/CA delivered, AE/CE permanent (with MSA-3 or the ERR text),
// AR/CR transient; no ACK before the timeout is Transient TIMEOUT. Connections stay open for
// the next message, as MLLP peers expect; one that went stale while idle is replaced once.
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include <mutex>
#include <optional>
#include <vector>

#include "runtime/host/connectors/connector_common.h"

namespace suture::host {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
using boost::system::error_code;
using net::Clock;
using net::Deadline;

constexpr char kStart = 0x0B;
constexpr char kEnd = 0x1C;
constexpr std::size_t kMaxAck = 1u << 20;
constexpr auto kMaxIdleAge = std::chrono::seconds(50);

std::vector<std::string_view> split(std::string_view text, char sep) {
  std::vector<std::string_view> out;
  std::size_t at = 0;
  while (true) {
    std::size_t next = text.find(sep, at);
    out.push_back(text.substr(at, next == std::string_view::npos ? std::string_view::npos : next - at));
    if (next == std::string_view::npos) return out;
    at = next + 1;
  }
}

std::vector<std::string_view> segments(std::string_view message) {
  std::vector<std::string_view> out;
  for (std::string_view line : split(message, '\r'))
    for (std::string_view segment : split(line, '\n'))
      if (!segment.empty()) out.push_back(segment);
  return out;
}

std::string_view field(const std::vector<std::string_view>& fields, std::size_t i) {
  return i < fields.size() ? fields[i] : std::string_view{};
}

struct Ack {
  std::string code;        // MSA-1
  std::string control_id;  // MSA-2
  std::string text;        // MSA-3, else ERR-8, ERR-3's text, ERR-1
};

// MSH-10 of the outgoing message ("" when it has none).
std::string control_id_of(std::string_view message) {
  std::vector<std::string_view> segs = segments(message);
  if (segs.empty() || segs[0].size() < 4 || segs[0].substr(0, 3) != "MSH") return {};
  return std::string(field(split(segs[0], segs[0][3]), 9));  // fields[0] is "MSH", so MSH-n is [n-1]
}

std::optional<Ack> parse_ack(std::string_view message) {
  std::vector<std::string_view> segs = segments(message);
  if (segs.empty() || segs[0].size() < 8 || segs[0].substr(0, 3) != "MSH") return std::nullopt;
  const char sep = segs[0][3];
  const char component = segs[0][4];
  std::optional<Ack> ack;
  std::string err_text;
  for (std::string_view seg : segs) {
    std::vector<std::string_view> fields = split(seg, sep);
    if (fields[0] == "MSA" && !ack) {
      ack = Ack{std::string(field(fields, 1)), std::string(field(fields, 2)), std::string(field(fields, 3))};
    } else if (fields[0] == "ERR" && err_text.empty()) {
      err_text = std::string(field(fields, 8));
      if (err_text.empty()) {
        std::vector<std::string_view> code = split(field(fields, 3), component);
        err_text = std::string(field(code, 1).empty() ? field(code, 0) : field(code, 1));
      }
      if (err_text.empty()) err_text = std::string(field(fields, 1));
    }
  }
  if (ack && ack->text.empty()) ack->text = err_text;
  return ack;
}

DeliveryResult judge(const Ack& ack) {
  const std::string& code = ack.code;
  std::string detail = code + (ack.text.empty() ? "" : ": " + clip(ack.text));
  if (code == "AA" || code == "CA") return delivered();
  if (code == "AE" || code == "CE") return permanent("MLLP_" + code, detail);
  if (code == "AR" || code == "CR") return transient("MLLP_" + code, detail);
  return transient("MLLP_BAD_ACK", "MSA-1 is '" + clip(code, 8) + "'");
}

class MllpConnector final : public ConnectorBase {
 public:
  MllpConnector(const EndpointConfig& endpoint, net::Url url)
      : ConnectorBase(endpoint), url_(std::move(url)), resolver_(url_.host, url_.port) {}

  std::string check(const DeliveryRequest& request) const override {
    if (!request.family.empty() && request.family != "mllp")
      return "an MLLP endpoint cannot take " + request.family + "." + request.operation;
    if (request.operation != "send") return "mllp." + request.operation + " is not an MLLP operation (send)";
    return {};
  }

 protected:
  DeliveryResult deliver_within(const DeliveryRequest& request, Deadline deadline) override;

 private:
  struct Connection {
    asio::io_context ioc;  // first member: destroyed after the stream
    std::optional<beast::tcp_stream> stream;
    std::string buffer;
    Clock::time_point idle_since{};
  };

  std::unique_ptr<Connection> take_idle();
  void put_idle(std::unique_ptr<Connection> connection);
  std::optional<DeliveryResult> connect(Connection& c, Deadline deadline);

  net::Url url_;
  net::Resolver resolver_;
  std::mutex mu_;
  std::vector<std::unique_ptr<Connection>> idle_;
};

std::unique_ptr<MllpConnector::Connection> MllpConnector::take_idle() {
  std::lock_guard<std::mutex> lock(mu_);
  while (!idle_.empty()) {
    std::unique_ptr<Connection> c = std::move(idle_.back());
    idle_.pop_back();
    if (Clock::now() - c->idle_since > kMaxIdleAge || !c->buffer.empty()) continue;
    if (net::idle_socket_is_stale(c->stream->socket().native_handle())) continue;
    return c;
  }
  return nullptr;
}

void MllpConnector::put_idle(std::unique_ptr<Connection> connection) {
  connection->idle_since = Clock::now();
  std::lock_guard<std::mutex> lock(mu_);
  if (idle_.size() < std::max<std::uint32_t>(endpoint().concurrency, 1)) idle_.push_back(std::move(connection));
}

std::optional<DeliveryResult> MllpConnector::connect(Connection& c, Deadline deadline) {
  const std::string where = url_.host + ":" + url_.port;
  net::Resolved resolved = resolver_.resolve(deadline);
  if (resolved.error != net::TransportError::None)
    return transient(std::string(net::transport_code(resolved.error)), resolved.detail);
  c.stream.emplace(c.ioc);
  c.stream->expires_at(deadline);
  bool done = false;
  error_code ec;
  c.stream->async_connect(resolved.endpoints, [&](const error_code& e, const asio::ip::tcp::endpoint&) {
    ec = e;
    done = true;
  });
  if (!net::run_until(c.ioc, done, net::backstop(deadline)) || ec == beast::error::timeout) {
    resolver_.forget();
    return transient("TIMEOUT", "connecting to " + where + " timed out");
  }
  if (ec) {
    resolver_.forget();
    return transient("CONNECT", "cannot connect to " + where + ": " + ec.message());
  }
  error_code ignored;
  c.stream->socket().set_option(asio::ip::tcp::no_delay(true), ignored);
  return std::nullopt;
}

DeliveryResult MllpConnector::deliver_within(const DeliveryRequest& request, Deadline deadline) {
  const std::string& message = request.payload;
  if (message.size() < 8 || message.compare(0, 3, "MSH") != 0)
    return permanent("BAD_PAYLOAD", "the payload is not an HL7 v2 message (no MSH segment first)");
  if (message.find(kStart) != std::string::npos || message.find(kEnd) != std::string::npos)
    return permanent("BAD_PAYLOAD", "the message contains MLLP framing bytes");
  const std::string sent_control_id = control_id_of(message);
  std::string frame;
  frame.reserve(message.size() + 3);
  frame += kStart;
  frame += message;
  frame += kEnd;
  frame += '\r';

  for (int attempt = 0;; ++attempt) {
    std::unique_ptr<Connection> c = take_idle();
    const bool reused = c != nullptr;
    Deadline exchange_deadline = deadline;
    if (!c) {
      c = std::make_unique<Connection>();
      const Clock::time_point started = Clock::now();
      if (auto failed = connect(*c, started + std::chrono::milliseconds(endpoint().timeout_ms))) return *failed;
      exchange_deadline = deadline + (Clock::now() - started);
    }
    c->stream->expires_at(exchange_deadline);
    bool done = false;
    error_code ec;
    asio::async_write(*c->stream, asio::buffer(frame), [&](const error_code& e, std::size_t) {
      ec = e;
      done = true;
    });
    if (!net::run_until(c->ioc, done, net::backstop(exchange_deadline)) || ec == beast::error::timeout)
      return transient("TIMEOUT", "sending the message timed out");
    if (ec) {
      if (reused && attempt == 0) continue;
      return transient("IO", "sending the message failed: " + ec.message());
    }
    done = false;
    std::size_t frame_end = 0;
    asio::async_read_until(*c->stream, asio::dynamic_buffer(c->buffer, kMaxAck), std::string("\x1c\r"),
                           [&](const error_code& e, std::size_t n) {
                             ec = e;
                             frame_end = n;
                             done = true;
                           });
    if (!net::run_until(c->ioc, done, net::backstop(exchange_deadline)) || ec == beast::error::timeout)
      return transient("TIMEOUT", "no ACK before the timeout");
    if (ec == asio::error::not_found) return transient("IO", "the ACK is larger than 1 MiB");
    if (ec) {
      const bool closed = ec == asio::error::eof || ec == asio::error::connection_reset;
      if (reused && attempt == 0 && closed && c->buffer.empty()) continue;
      return transient("IO", "reading the ACK failed: " + ec.message());
    }
    std::string_view received(c->buffer.data(), frame_end - 2);
    std::size_t start = received.find(kStart);
    std::optional<Ack> ack = start == std::string_view::npos ? std::nullopt : parse_ack(received.substr(start + 1));
    c->buffer.erase(0, frame_end);
    if (!ack) return transient("MLLP_BAD_ACK", "the answer is not an HL7 v2 ACK");
    if (!sent_control_id.empty() && !ack->control_id.empty() && ack->control_id != sent_control_id)
      return transient("MLLP_ACK_MISMATCH", "the ACK acknowledges another message");
    put_idle(std::move(c));
    return judge(*ack);
  }
}

}  // namespace

std::unique_ptr<Connector> make_mllp_connector(const EndpointConfig& endpoint) {
  std::string error;
  std::optional<net::Url> url = net::parse_url(endpoint.url, &error);
  if (!url) return make_unusable_connector("endpoint " + endpoint.name + ": " + error);
  if (url->scheme != "mllp")
    return make_unusable_connector("endpoint " + endpoint.name + ": an MLLP endpoint needs an mllp:// URL");
  return std::make_unique<MllpConnector>(endpoint, std::move(*url));
}

}  // namespace suture::host
