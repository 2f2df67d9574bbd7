// mllp_server.h — HL7 v2 over MLLP (frames <VT> message <FS><CR>) on Boost.Asio: every frame is
// handed to a handler in arrival order and answered with the ACK the handler gives, in the same
// order, even when the client pipelines frames without waiting and the answers come back out of
// order (after the store's commit). A frame larger than the limit is answered with a reject and
// the connection closed; bytes outside a frame are ignored.
// Pipeline position: ingress for HL7 v2 feeds.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>

namespace suture::host {

struct MllpFrame {
  std::string message;       // ER7, segments separated by \r
  std::string peer_subject;  // mTLS subject or ""
  std::string remote;
};

// Call exactly once with the ACK message (ER7, without framing); safe from any thread.
using MllpResponder = std::function<void(std::string ack)>;
using MllpHandler = std::function<void(MllpFrame&&, MllpResponder)>;

struct MllpServerOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 0;
  std::size_t max_frame_bytes = 1 << 20;
  std::shared_ptr<boost::asio::ssl::context> tls;  // null: plain TCP
  std::uint32_t idle_timeout_ms = 300000;  // a connection silent this long (or stuck in a TLS handshake) is closed
};

class MllpServer {
 public:
  MllpServer(boost::asio::io_context& io, MllpServerOptions options, MllpHandler handler);
  ~MllpServer();
  std::string start();
  void stop();
  std::uint16_t port() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

// An HL7 v2 ACK for `message`: MSH with sender and receiver swapped, MSA-1 `code` (AA, AE, AR)
// with MSA-2 = the message's MSH-10, and, when `error` is given, an ERR segment carrying the
// location, our code and the text.
std::string hl7_ack(const std::string& message, const std::string& code, const std::string& error_code = "",
                    const std::string& location = "", const std::string& text = "");

}  // namespace suture::host
