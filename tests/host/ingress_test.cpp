// ingress_test.cpp — the ingress servers over real sockets on loopback, each test with its own
// server on a free port and io threads as the host runs them. HttpServer, plain: a POST
// answered by its handler, keep-alive, the body limit (413 and a closed connection), bytes that
// are not HTTP (400), a reply given late from another thread, query decoding. HttpServer over
// TLS with a context from tls_context(): a client trusting the test CA is answered, a plain-HTTP
// client is turned away and the server goes on. mTLS: a certificate from the configured CA
// reaches the handler as its RFC 2253 subject, which the Authenticator maps to the principal;
// clients without one, or with one from another CA, are refused at the handshake. MllpServer:
// ACKs leave in arrival order when the handler answers out of order; a frame over the limit is
// rejected (AR) and the connection closed. hl7_ack: MSH, MSA and ERR.
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <array>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>
#include <variant>
#include <vector>

#include "runtime/host/config/config.h"
#include "runtime/host/ingress/auth.h"
#include "runtime/host/ingress/http_server.h"
#include "runtime/host/ingress/mllp_server.h"
#include "runtime/host/ingress/tls_context.h"
#include "tests/host/test_certs.h"

using namespace suture::host;
using suture::test::CertificateUse;
using suture::test::issue_test_certificate;
using suture::test::make_test_ca;
using suture::test::TestCertificate;

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

namespace {

// How long a client waits for any one step before the test fails instead of hanging.
constexpr auto kClientTimeout = std::chrono::seconds(5);

// ── The servers' side ─────────────────────────────────────────────────────────────────────

// An io_context run by two threads, as the host runs its listeners.
class ServerThreads {
 public:
  ServerThreads() : work_(asio::make_work_guard(io_)) {
    for (int i = 0; i < 2; ++i) threads_.emplace_back([this] { io_.run(); });
  }
  ~ServerThreads() { stop(); }
  // Stops and joins the threads; the io_context stays, so what still holds a socket may go after.
  void stop() {
    work_.reset();
    io_.stop();
    for (std::thread& thread : threads_) thread.join();
    threads_.clear();
  }
  asio::io_context& io() { return io_; }

 private:
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  std::vector<std::thread> threads_;
};

// Threads that answer after the handler has returned, as the host does after the store's
// commit; all joined when this goes away.
class LateAnswers {
 public:
  void after(std::chrono::milliseconds delay, std::function<void()> answer) {
    std::lock_guard lock(mutex_);
    threads_.emplace_back([delay, answer = std::move(answer)] {
      std::this_thread::sleep_for(delay);
      answer();
    });
  }
  void join() {
    std::lock_guard lock(mutex_);
    threads_.clear();
  }

 private:
  std::mutex mutex_;
  std::vector<std::jthread> threads_;
};

// ── The clients' side ─────────────────────────────────────────────────────────────────────

struct Exchange {
  beast::error_code error;
  http::response<http::string_body> response;
};

http::request<http::string_body> make_request(http::verb method, const std::string& target, std::string body = "") {
  http::request<http::string_body> request{method, target, 11};
  request.set(http::field::host, "localhost");
  request.body() = std::move(body);
  request.prepare_payload();
  return request;
}

// One client connection, plain (beast::tcp_stream) or TLS (beast::ssl_stream), driven on its
// own io_context; every step is bounded by kClientTimeout.
template <class Stream>
class TestClient {
 public:
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

  TestClient() requires(!kTls) : stream_(io_) {}
  explicit TestClient(ssl::context& tls) requires(kTls) : stream_(io_, tls) {}

  // Connects to 127.0.0.1:port and, over TLS, completes the handshake verifying that the
  // server's certificate is for "localhost".
  beast::error_code connect(std::uint16_t port) {
    beast::error_code result;
    lowest().expires_after(kClientTimeout);
    lowest().async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port),
                           [&](beast::error_code ec) { result = ec; });
    run();
    if constexpr (kTls) {
      if (result) return result;
      SSL_set_tlsext_host_name(stream_.native_handle(), "localhost");
      stream_.set_verify_callback(ssl::host_name_verification("localhost"));
      lowest().expires_after(kClientTimeout);
      stream_.async_handshake(ssl::stream_base::client, [&](beast::error_code ec) { result = ec; });
      run();
    }
    return result;
  }

  Exchange send(const http::request<http::string_body>& request) {
    Exchange exchange;
    lowest().expires_after(kClientTimeout);
    http::async_write(stream_, request, [&](beast::error_code ec, std::size_t) { exchange.error = ec; });
    run();
    if (exchange.error) return exchange;
    return receive();
  }

  Exchange receive() {
    Exchange exchange;
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    lowest().expires_after(kClientTimeout);
    http::async_read(stream_, http_buffer_, parser, [&](beast::error_code ec, std::size_t) { exchange.error = ec; });
    run();
    if (!exchange.error) exchange.response = parser.release();
    return exchange;
  }

  beast::error_code write_raw(const std::string& bytes) {
    beast::error_code result;
    lowest().expires_after(kClientTimeout);
    asio::async_write(stream_, asio::buffer(bytes), [&](beast::error_code ec, std::size_t) { result = ec; });
    run();
    return result;
  }

  // The next MLLP frame's content (without <VT> and <FS><CR>), or nullopt with `error` set.
  std::optional<std::string> read_mllp_frame(beast::error_code* error = nullptr) {
    beast::error_code result;
    std::size_t length = 0;
    lowest().expires_after(kClientTimeout);
    asio::async_read_until(stream_, asio::dynamic_buffer(mllp_buffer_), "\x1c\r",
                           [&](beast::error_code ec, std::size_t n) { result = ec, length = n; });
    run();
    if (error != nullptr) *error = result;
    if (result) return std::nullopt;
    std::string frame = mllp_buffer_.substr(0, length - 2);
    mllp_buffer_.erase(0, length);
    if (!frame.empty() && frame.front() == '\x0b') frame.erase(0, 1);
    return frame;
  }

  // Reads until the server ends the connection. True when it did (end of stream, or reset)
  // without sending anything more; false when bytes came or the connection stayed open.
  bool closed_by_server() {
    if (http_buffer_.size() > 0 || !mllp_buffer_.empty()) return false;
    std::array<char, 256> chunk{};
    beast::error_code result;
    std::size_t received = 0;
    lowest().expires_after(kClientTimeout);
    stream_.async_read_some(asio::buffer(chunk),
                            [&](beast::error_code ec, std::size_t n) { result = ec, received = n; });
    run();
    return received == 0 && result && result != beast::error::timeout;
  }

 private:
  beast::tcp_stream& lowest() { return beast::get_lowest_layer(stream_); }
  void run() {
    io_.restart();
    io_.run();
  }

  asio::io_context io_;
  Stream stream_;
  beast::flat_buffer http_buffer_;
  std::string mllp_buffer_;
};

using PlainClient = TestClient<beast::tcp_stream>;
using TlsClient = TestClient<beast::ssl_stream<beast::tcp_stream>>;

// ── Plain HTTP ────────────────────────────────────────────────────────────────────────────

// Every request the handler was given, in order.
class SeenRequests {
 public:
  void add(const ServerRequest& request) {
    std::lock_guard lock(mutex_);
    requests_.push_back(request);
  }
  std::vector<ServerRequest> all() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<ServerRequest> requests_;
};

ServerReply text_reply(unsigned status, std::string body) {
  ServerReply reply;
  reply.status = status;
  reply.content_type = "text/plain";
  reply.body = std::move(body);
  return reply;
}

// Answers "<METHOD> <path>: <body>" at once.
void echo(ServerRequest&& request, ServerResponder respond) {
  respond(text_reply(200, request.method + " " + request.path + ": " + request.body));
}

class HttpIngressTest : public ::testing::Test {
 protected:
  // Starts a server on a free loopback port whose handler records each request, then passes it on.
  void serve(HttpServerOptions options, ServerHandler handler) {
    server_ = std::make_unique<HttpServer>(
        threads_.io(), std::move(options),
        [this, handler = std::move(handler)](ServerRequest&& request, ServerResponder respond) {
          seen_.add(request);
          handler(std::move(request), std::move(respond));
        });
    ASSERT_EQ(server_->start(), "");
    port_ = server_->port();
    ASSERT_NE(port_, 0);
  }

  // Members end in reverse order: the server stops, late answers are joined, then the io
  // threads, and only then what handlers touch.
  SeenRequests seen_;
  ServerThreads threads_;
  LateAnswers late_;
  std::unique_ptr<HttpServer> server_;
  std::uint16_t port_ = 0;
};

TEST_F(HttpIngressTest, PostWithABodyGetsTheHandlersReply) {
  serve({}, [](ServerRequest&& request, ServerResponder respond) {
    ServerReply reply = text_reply(202, "stored " + request.method + " " + request.path + ": " + request.body);
    reply.headers.emplace_back("X-Correlation-Id", request.header("x-correlation-id"));
    respond(std::move(reply));
  });
  PlainClient client;
  ASSERT_FALSE(client.connect(port_));
  auto request = make_request(http::verb::post, "/webhooks/sale.order", R"({"id":42,"name":"SO042"})");
  request.set(http::field::content_type, "application/json");
  request.set("X-Correlation-Id", "corr-7");
  Exchange exchange = client.send(request);
  ASSERT_FALSE(exchange.error) << exchange.error.message();
  EXPECT_EQ(exchange.response.result_int(), 202u);
  EXPECT_EQ(exchange.response.body(), R"(stored POST /webhooks/sale.order: {"id":42,"name":"SO042"})");
  EXPECT_EQ(exchange.response[http::field::content_type], "text/plain");
  EXPECT_EQ(exchange.response["X-Correlation-Id"], "corr-7");

  auto seen = seen_.all();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].target, "/webhooks/sale.order");
  EXPECT_EQ(seen[0].header("content-type"), "application/json") << "header names are lower-cased";
  EXPECT_EQ(seen[0].remote.rfind("127.0.0.1:", 0), 0u) << seen[0].remote;
  EXPECT_EQ(seen[0].peer_subject, "");
}

TEST_F(HttpIngressTest, KeepAliveServesTwoRequestsOnOneConnection) {
  serve({}, echo);
  PlainClient client;
  ASSERT_FALSE(client.connect(port_));
  Exchange first = client.send(make_request(http::verb::post, "/first", "one"));
  ASSERT_FALSE(first.error) << first.error.message();
  EXPECT_EQ(first.response.body(), "POST /first: one");
  EXPECT_TRUE(first.response.keep_alive());
  Exchange second = client.send(make_request(http::verb::put, "/second", "two"));
  ASSERT_FALSE(second.error) << second.error.message();
  EXPECT_EQ(second.response.body(), "PUT /second: two");

  auto seen = seen_.all();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].remote, seen[1].remote) << "both requests came on the same connection";
}

TEST_F(HttpIngressTest, ASecondAnswerToOneRequestIsIgnored) {
  serve({}, [](ServerRequest&& request, ServerResponder respond) {
    respond(text_reply(200, "answer to " + request.path));
    if (request.path == "/answered-twice") respond(text_reply(500, "stray second answer"));
  });
  PlainClient client;
  ASSERT_FALSE(client.connect(port_));
  Exchange first = client.send(make_request(http::verb::get, "/answered-twice"));
  ASSERT_FALSE(first.error) << first.error.message();
  EXPECT_EQ(first.response.body(), "answer to /answered-twice");
  Exchange next = client.send(make_request(http::verb::get, "/next"));
  ASSERT_FALSE(next.error) << next.error.message();
  EXPECT_EQ(next.response.body(), "answer to /next") << "the stray answer must not reach the next request";
}

TEST_F(HttpIngressTest, BodyOverTheLimitIs413AndTheConnectionIsClosed) {
  HttpServerOptions options;
  options.max_body_bytes = 1024;
  serve(options, echo);
  PlainClient client;
  ASSERT_FALSE(client.connect(port_));
  Exchange at_limit = client.send(make_request(http::verb::post, "/in", std::string(1024, 'a')));
  ASSERT_FALSE(at_limit.error) << at_limit.error.message();
  EXPECT_EQ(at_limit.response.result_int(), 200u) << "a body of exactly the limit is taken";

  // Far over, so that most of the body is still being sent when the server answers: the
  // client must get the 413, not a reset connection.
  Exchange over = client.send(make_request(http::verb::post, "/in", std::string(8 * 1024 * 1024, 'b')));
  ASSERT_FALSE(over.error) << over.error.message();
  EXPECT_EQ(over.response.result_int(), 413u);
  EXPECT_NE(over.response.body().find(R"("code":"BODY_TOO_LARGE")"), std::string::npos) << over.response.body();
  EXPECT_NE(over.response.body().find("1024 bytes"), std::string::npos) << over.response.body();
  EXPECT_FALSE(over.response.keep_alive());
  EXPECT_TRUE(client.closed_by_server());
  EXPECT_EQ(seen_.all().size(), 1u) << "the handler never sees the oversized request";
}

TEST_F(HttpIngressTest, ChunkedBodyOverTheLimitIs413) {
  HttpServerOptions options;
  options.max_body_bytes = 1024;
  serve(options, echo);
  PlainClient client;
  ASSERT_FALSE(client.connect(port_));
  std::string chunk(800, 'c');
  ASSERT_FALSE(client.write_raw("POST /in HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n320\r\n" +
                                chunk + "\r\n320\r\n" + chunk + "\r\n0\r\n\r\n"));
  Exchange over = client.receive();
  ASSERT_FALSE(over.error) << over.error.message();
  EXPECT_EQ(over.response.result_int(), 413u);
  EXPECT_NE(over.response.body().find(R"("code":"BODY_TOO_LARGE")"), std::string::npos) << over.response.body();
  EXPECT_TRUE(client.closed_by_server());
  EXPECT_TRUE(seen_.all().empty());
}

TEST_F(HttpIngressTest, BytesThatAreNotHttpAre400AndTheServerGoesOn) {
  serve({}, echo);
  PlainClient client;
  ASSERT_FALSE(client.connect(port_));
  ASSERT_FALSE(client.write_raw(std::string("\x16\x03\x01 not http at all\r\n\r\n", 23)));
  Exchange refused = client.receive();
  ASSERT_FALSE(refused.error) << refused.error.message();
  EXPECT_EQ(refused.response.result_int(), 400u);
  EXPECT_NE(refused.response.body().find(R"("code":"HTTP_MALFORMED")"), std::string::npos) << refused.response.body();
  EXPECT_TRUE(client.closed_by_server());
  EXPECT_TRUE(seen_.all().empty());

  PlainClient next;
  ASSERT_FALSE(next.connect(port_));
  Exchange served = next.send(make_request(http::verb::post, "/after", "fine"));
  ASSERT_FALSE(served.error) << served.error.message();
  EXPECT_EQ(served.response.body(), "POST /after: fine");
}

TEST_F(HttpIngressTest, AnAnswerGivenLaterFromAnotherThreadStillArrives) {
  // The answer comes after the connection's idle timeout has run out since the request was
  // read, and is large enough to need many writes: waiting for the handler is not idleness.
  HttpServerOptions options;
  options.idle_timeout_ms = 150;
  const std::string large_body(8 * 1024 * 1024, 'r');
  serve(options, [&](ServerRequest&&, ServerResponder respond) {
    late_.after(400ms, [respond, body = large_body] { respond(text_reply(200, body)); });
  });
  PlainClient client;
  ASSERT_FALSE(client.connect(port_));
  auto sent = std::chrono::steady_clock::now();
  Exchange late = client.send(make_request(http::verb::post, "/slow", "x"));
  ASSERT_FALSE(late.error) << late.error.message();
  EXPECT_GE(std::chrono::steady_clock::now() - sent, 400ms);
  EXPECT_EQ(late.response.result_int(), 200u);
  EXPECT_EQ(late.response.body().size(), large_body.size());
  EXPECT_TRUE(late.response.body() == large_body);
}

TEST_F(HttpIngressTest, QueryParametersAreDecoded) {
  serve({}, echo);
  PlainClient client;
  ASSERT_FALSE(client.connect(port_));
  const std::string target = "/patients/a%20b?name=J%C3%B6rg+M%C3%BCller&empty=&flag&a%26b=c%3Dd&sum=1%2B1&bad=%zz%4";
  Exchange exchange = client.send(make_request(http::verb::get, target));
  ASSERT_FALSE(exchange.error) << exchange.error.message();
  auto seen = seen_.all();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].target, target);
  EXPECT_EQ(seen[0].path, "/patients/a%20b") << "the path is given as sent";
  std::map<std::string, std::string> expected{{"name", "J\xC3\xB6rg M\xC3\xBCller"},
                                              {"empty", ""},
                                              {"flag", ""},
                                              {"a&b", "c=d"},
                                              {"sum", "1+1"},
                                              {"bad", "%zz%4"}};
  EXPECT_EQ(seen[0].query, expected);
}

// ── TLS ───────────────────────────────────────────────────────────────────────────────────

// A certificate authority and what it issued, written where tls_context() reads them.
class TestPki {
 public:
  TestPki()
      : directory_(std::filesystem::temp_directory_path() / ("suture-ingress-test-" + std::to_string(::getpid()))),
        ca_(make_test_ca("Suture Test CA")),
        other_ca_(make_test_ca("Somebody Else's CA")),
        server_(
            issue_test_certificate(ca_, {{"CN", "localhost"}}, CertificateUse::Server, "DNS:localhost,IP:127.0.0.1")),
        lab_(issue_test_certificate(ca_, {{"O", "Hospital"}, {"CN", "lab"}}, CertificateUse::Client)),
        intruder_(issue_test_certificate(ca_, {{"O", "Hospital"}, {"CN", "intruder"}}, CertificateUse::Client)),
        impostor_(issue_test_certificate(other_ca_, {{"O", "Hospital"}, {"CN", "lab"}}, CertificateUse::Client)) {
    std::filesystem::create_directories(directory_);
    write("ca.pem", ca_.cert_pem);
    write("server.pem", server_.cert_pem);
    write("server.key", server_.key_pem);
  }
  ~TestPki() {
    std::error_code ignored;
    std::filesystem::remove_all(directory_, ignored);
  }

  const std::filesystem::path& directory() const { return directory_; }
  const TestCertificate& ca() const { return ca_; }
  const TestCertificate& lab() const { return lab_; }            // CN=lab,O=Hospital from the CA
  const TestCertificate& intruder() const { return intruder_; }  // CN=intruder,O=Hospital from the CA
  const TestCertificate& impostor() const { return impostor_; }  // CN=lab,O=Hospital from another CA

  TlsConfig server_tls(bool require_client_certificates) const {
    TlsConfig tls;
    tls.cert_file = (directory_ / "server.pem").string();
    tls.key_file = (directory_ / "server.key").string();
    if (require_client_certificates) tls.client_ca_file = (directory_ / "ca.pem").string();
    return tls;
  }

  // A client context trusting the test CA, presenting `certificate` when given.
  ssl::context client_context(const TestCertificate* certificate = nullptr,
                              ssl::context::method method = ssl::context::tls_client) const {
    ssl::context context(method);
    context.add_certificate_authority(asio::buffer(ca_.cert_pem));
    context.set_verify_mode(ssl::verify_peer);
    if (certificate != nullptr) {
      context.use_certificate_chain(asio::buffer(certificate->cert_pem));
      context.use_private_key(asio::buffer(certificate->key_pem), ssl::context::pem);
    }
    return context;
  }

 private:
  void write(const std::string& name, const std::string& text) const {
    std::ofstream out(directory_ / name);
    out << text;
  }

  std::filesystem::path directory_;
  TestCertificate ca_, other_ca_, server_, lab_, intruder_, impostor_;
};

class TlsIngressTest : public HttpIngressTest {
 protected:
  static void SetUpTestSuite() { pki_ = new TestPki(); }
  static void TearDownTestSuite() {
    delete pki_;
    pki_ = nullptr;
  }

  static std::shared_ptr<ssl::context> server_context(const TlsConfig& tls) {
    auto made = tls_context(tls);
    if (auto* error = std::get_if<std::string>(&made)) ADD_FAILURE() << *error;
    auto* context = std::get_if<std::shared_ptr<ssl::context>>(&made);
    return context != nullptr ? *context : nullptr;
  }

  static TestPki* pki_;
};

TestPki* TlsIngressTest::pki_ = nullptr;

TEST_F(TlsIngressTest, AClientTrustingTheCaIsAnswered) {
  HttpServerOptions options;
  options.tls = server_context(pki_->server_tls(false));
  ASSERT_NE(options.tls, nullptr);
  serve(options, echo);
  ssl::context client_tls = pki_->client_context();
  TlsClient client(client_tls);
  beast::error_code connected = client.connect(port_);
  ASSERT_FALSE(connected) << connected.message();
  for (const char* body : {"first", "second"}) {
    Exchange exchange = client.send(make_request(http::verb::post, "/secure", body));
    ASSERT_FALSE(exchange.error) << exchange.error.message();
    EXPECT_EQ(exchange.response.body(), std::string("POST /secure: ") + body);
  }
  auto seen = seen_.all();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].peer_subject, "") << "no client certificate was asked for";
}

TEST_F(TlsIngressTest, PlainHttpOnTheTlsPortIsTurnedAwayAndTheServerGoesOn) {
  HttpServerOptions options;
  options.tls = server_context(pki_->server_tls(false));
  ASSERT_NE(options.tls, nullptr);
  serve(options, echo);

  PlainClient plain;
  ASSERT_FALSE(plain.connect(port_));
  Exchange refused = plain.send(make_request(http::verb::post, "/secure", "in the clear"));
  EXPECT_TRUE(refused.error) << "a plain request got an answer: " << refused.response.result_int();
  EXPECT_FALSE(refused.error == beast::error::timeout) << "the server kept a connection it cannot serve";

  ssl::context client_tls = pki_->client_context();
  TlsClient client(client_tls);
  beast::error_code connected = client.connect(port_);
  ASSERT_FALSE(connected) << connected.message();
  Exchange served = client.send(make_request(http::verb::post, "/secure", "encrypted"));
  ASSERT_FALSE(served.error) << served.error.message();
  EXPECT_EQ(served.response.body(), "POST /secure: encrypted");
  EXPECT_EQ(seen_.all().size(), 1u);
}

TEST_F(TlsIngressTest, BodyOverTheLimitIs413OverTlsToo) {
  HttpServerOptions options;
  options.tls = server_context(pki_->server_tls(false));
  ASSERT_NE(options.tls, nullptr);
  options.max_body_bytes = 1024;
  serve(options, echo);
  ssl::context client_tls = pki_->client_context();
  TlsClient client(client_tls);
  beast::error_code connected = client.connect(port_);
  ASSERT_FALSE(connected) << connected.message();
  Exchange over = client.send(make_request(http::verb::post, "/secure", std::string(8 * 1024 * 1024, 'b')));
  ASSERT_FALSE(over.error) << over.error.message();
  EXPECT_EQ(over.response.result_int(), 413u);
  EXPECT_NE(over.response.body().find(R"("code":"BODY_TOO_LARGE")"), std::string::npos) << over.response.body();
  EXPECT_FALSE(over.response.keep_alive());
  EXPECT_TRUE(seen_.all().empty());
}

// ── mTLS ──────────────────────────────────────────────────────────────────────────────────

// A listener taking client certificates only, and the principal the lab's certificate is.
class MtlsIngressTest : public TlsIngressTest {
 protected:
  void SetUp() override {
    const std::string text = R"(packs: [results.spk]
store: host.db
listeners:
  - name: lab-results
    listen: 127.0.0.1:0
    tls: {cert: server.pem, key: server.key, client_ca: ca.pem}
    auth: [mtls]
principals:
  - id: lab
    role: results-feed
    mtls_subject: "CN=lab, O=Hospital"
)";
    auto loaded = load_config_text(text, (pki_->directory() / "host.yaml").string());
    if (auto* problems = std::get_if<std::vector<ConfigProblem>>(&loaded)) {
      for (const ConfigProblem& problem : *problems) ADD_FAILURE() << format_problem(problem);
      return;
    }
    // The handler owns the configuration and the Authenticator pointing into it, so both last
    // as long as any connection can still call it.
    auto deployment = std::make_shared<Deployment>(std::get<HostConfig>(std::move(loaded)));
    const ListenerConfig& listener = deployment->config.listeners.at(0);
    ASSERT_TRUE(listener.tls.has_value());
    HttpServerOptions options;
    options.address = listener.address;
    options.port = listener.port;
    options.tls = server_context(*listener.tls);
    ASSERT_NE(options.tls, nullptr);
    // Answers 200 "principal <id>" for whom the Authenticator finds, else its status and code.
    serve(options, [deployment](ServerRequest&& request, ServerResponder respond) {
      RequestCredentials credentials;
      credentials.peer_subject = request.peer_subject;
      AuthResult result = deployment->authenticator.authenticate(deployment->config.listeners.at(0), credentials);
      if (auto* failure = std::get_if<AuthFailure>(&result)) {
        return respond(text_reply(static_cast<unsigned>(failure->http_status), failure->code));
      }
      respond(text_reply(200, "principal " + std::get<const PrincipalConfig*>(result)->id));
    });
  }

  // Connects with `context` and posts one request; the exchange's error says where it failed.
  Exchange post_with(ssl::context& context) {
    TlsClient client(context);
    Exchange exchange;
    exchange.error = client.connect(port_);
    if (exchange.error) return exchange;
    return client.send(make_request(http::verb::post, "/results", "OBX"));
  }

  void expect_the_lab_gets_through() {
    ssl::context lab_tls = pki_->client_context(&pki_->lab());
    Exchange accepted = post_with(lab_tls);
    ASSERT_FALSE(accepted.error) << accepted.error.message();
    EXPECT_EQ(accepted.response.body(), "principal lab");
  }

  struct Deployment {
    explicit Deployment(HostConfig loaded) : config(std::move(loaded)), authenticator(config) {}
    HostConfig config;
    Authenticator authenticator;
  };
};

TEST_F(MtlsIngressTest, ACertificateFromTheCaReachesTheHandlerAndIsItsPrincipal) {
  expect_the_lab_gets_through();
  auto seen = seen_.all();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].peer_subject, "CN=lab,O=Hospital");
}

TEST_F(MtlsIngressTest, ACertificateFromTheCaForAnotherSubjectIsNoPrincipal) {
  ssl::context intruder_tls = pki_->client_context(&pki_->intruder());
  Exchange refused = post_with(intruder_tls);
  ASSERT_FALSE(refused.error) << refused.error.message();
  EXPECT_EQ(refused.response.result_int(), 401u);
  EXPECT_EQ(refused.response.body(), "AUTH_INVALID");
  auto seen = seen_.all();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].peer_subject, "CN=intruder,O=Hospital");
}

TEST_F(MtlsIngressTest, AClientWithoutACertificateIsRefusedAtTheHandshake) {
  // TLS 1.2: the server's refusal ends the handshake itself.
  ssl::context tls12 = pki_->client_context(nullptr, ssl::context::tlsv12_client);
  TlsClient client12(tls12);
  beast::error_code handshake = client12.connect(port_);
  ASSERT_TRUE(handshake) << "a TLS 1.2 handshake without a client certificate succeeded";
  EXPECT_EQ(handshake.category(), asio::error::get_ssl_category()) << handshake.message();

  // TLS 1.3: the client's side of the handshake ends before the server has checked the
  // certificate, so the refusal is the alert the first read gets.
  ssl::context tls13 = pki_->client_context();
  Exchange refused = post_with(tls13);
  ASSERT_TRUE(refused.error) << "answered without a client certificate: " << refused.response.body();
  EXPECT_EQ(refused.error.category(), asio::error::get_ssl_category()) << refused.error.message();

  EXPECT_TRUE(seen_.all().empty()) << "no request may reach the handler";
  expect_the_lab_gets_through();
}

TEST_F(MtlsIngressTest, ACertificateFromAnotherCaIsRefusedAtTheHandshake) {
  ssl::context impostor_tls = pki_->client_context(&pki_->impostor());
  Exchange refused = post_with(impostor_tls);
  ASSERT_TRUE(refused.error) << "answered a certificate from another CA: " << refused.response.body();
  EXPECT_EQ(refused.error.category(), asio::error::get_ssl_category()) << refused.error.message();
  EXPECT_TRUE(seen_.all().empty());
  expect_the_lab_gets_through();
}

// ── MLLP ──────────────────────────────────────────────────────────────────────────────────

std::string hl7_message(const std::string& control_id, const std::string& extra_segments = "") {
  return "MSH|^~\\&|LIS|LAB|SUTURE|HOSPITAL|20260115080000||ORU^R01^ORU_R01|" + control_id + "|P|2.5.1\r" +
         "PID|1||MRN-1^^^HOSP^MR||Doe^Jane\r" + extra_segments;
}

std::string mllp_frame(const std::string& message) {
  return "\x0b" + message + "\x1c\r";
}

// The fields of the segment of `message` named `segment` (fields[0] is the name), or {}.
std::vector<std::string> segment_fields(const std::string& message, const std::string& segment) {
  std::size_t start = 0;
  while (start < message.size()) {
    std::size_t end = message.find('\r', start);
    std::string line = message.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (line.compare(0, segment.size() + 1, segment + "|") == 0) {
      std::vector<std::string> fields;
      std::size_t from = 0;
      while (true) {
        std::size_t bar = line.find('|', from);
        fields.push_back(line.substr(from, bar == std::string::npos ? std::string::npos : bar - from));
        if (bar == std::string::npos) break;
        from = bar + 1;
      }
      return fields;
    }
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return {};
}

// MSA-2 of an ACK: the control id of the message it answers.
std::string acknowledged_control_id(const std::string& ack) {
  auto msa = segment_fields(ack, "MSA");
  return msa.size() > 2 ? msa[2] : "";
}

std::string ack_code(const std::string& ack) {
  auto msa = segment_fields(ack, "MSA");
  return msa.size() > 1 ? msa[1] : "";
}

class MllpIngressTest : public ::testing::Test {
 protected:
  struct Delivered {
    MllpFrame frame;
    MllpResponder respond;
  };

  // Starts a server whose handler keeps each frame and its responder for the test to answer.
  void serve(MllpServerOptions options) {
    server_ = std::make_unique<MllpServer>(threads_.io(), std::move(options),
                                           [this](MllpFrame&& frame, MllpResponder respond) {
                                             std::lock_guard lock(mutex_);
                                             delivered_.push_back({std::move(frame), std::move(respond)});
                                             arrived_.notify_all();
                                           });
    ASSERT_EQ(server_->start(), "");
    port_ = server_->port();
  }

  // The first `count` frames handed to the handler, once they all have been (empty on time out).
  std::vector<Delivered> wait_for_frames(std::size_t count) {
    std::unique_lock lock(mutex_);
    if (!arrived_.wait_for(lock, kClientTimeout, [&] { return delivered_.size() >= count; })) return {};
    return {delivered_.begin(), delivered_.begin() + static_cast<std::ptrdiff_t>(count)};
  }

  std::size_t delivered_count() {
    std::lock_guard lock(mutex_);
    return delivered_.size();
  }

  // The responders kept in delivered_ hold their connections: they go once no io thread runs,
  // and before the io_context does.
  void TearDown() override {
    server_.reset();
    late_.join();
    threads_.stop();
    delivered_.clear();
  }

  std::mutex mutex_;
  std::condition_variable arrived_;
  std::vector<Delivered> delivered_;
  ServerThreads threads_;
  LateAnswers late_;
  std::unique_ptr<MllpServer> server_;
  std::uint16_t port_ = 0;
};

TEST_F(MllpIngressTest, AcksLeaveInArrivalOrderWhenAnsweredOutOfOrder) {
  serve({});
  PlainClient client;
  ASSERT_FALSE(client.connect(port_));
  // Pipelined without waiting, with bytes outside any frame, which are ignored.
  ASSERT_FALSE(client.write_raw("\r\nnoise" + mllp_frame(hl7_message("MSG-1")) + mllp_frame(hl7_message("MSG-2")) +
                                "\n" + mllp_frame(hl7_message("MSG-3"))));
  std::vector<Delivered> frames = wait_for_frames(3);
  ASSERT_EQ(frames.size(), 3u);
  for (std::size_t i = 0; i < frames.size(); ++i) {
    EXPECT_EQ(frames[i].frame.message, hl7_message("MSG-" + std::to_string(i + 1))) << "handed over in arrival order";
    EXPECT_EQ(frames[i].frame.remote.rfind("127.0.0.1:", 0), 0u) << frames[i].frame.remote;
  }
  // The third answered first, then the second, the first last — each from another thread.
  late_.after(0ms, [third = frames[2]] { third.respond(hl7_ack(third.frame.message, "AA")); });
  late_.after(100ms, [second = frames[1]] {
    second.respond(hl7_ack(second.frame.message, "AE", "POLICY", "PID-3", "no MRN"));
  });
  late_.after(200ms, [first = frames[0]] { first.respond(hl7_ack(first.frame.message, "AA")); });

  std::vector<std::string> acks;
  for (int i = 0; i < 3; ++i) {
    beast::error_code error;
    auto ack = client.read_mllp_frame(&error);
    ASSERT_TRUE(ack.has_value()) << "ACK " << i + 1 << ": " << error.message();
    acks.push_back(*ack);
  }
  EXPECT_EQ(acknowledged_control_id(acks[0]), "MSG-1");
  EXPECT_EQ(acknowledged_control_id(acks[1]), "MSG-2");
  EXPECT_EQ(ack_code(acks[1]), "AE");
  EXPECT_EQ(acknowledged_control_id(acks[2]), "MSG-3");
}

TEST_F(MllpIngressTest, AFrameOverTheLimitIsRejectedAndTheConnectionClosed) {
  MllpServerOptions options;
  options.max_frame_bytes = 200;
  serve(options);
  PlainClient client;
  ASSERT_FALSE(client.connect(port_));

  std::string base = hl7_message("MSG-FITS", "OBX|1|ST|");
  std::string fits = base + std::string(options.max_frame_bytes - base.size(), 'v');
  ASSERT_EQ(fits.size(), options.max_frame_bytes);
  ASSERT_FALSE(client.write_raw(mllp_frame(fits)));
  std::vector<Delivered> frames = wait_for_frames(1);
  ASSERT_EQ(frames.size(), 1u) << "a frame of exactly the limit is taken";
  EXPECT_EQ(frames[0].frame.message, fits);
  frames[0].respond(hl7_ack(fits, "AA"));
  auto accepted = client.read_mllp_frame();
  ASSERT_TRUE(accepted.has_value());
  EXPECT_EQ(ack_code(*accepted), "AA");

  std::string too_large = hl7_message("MSG-BIG", "OBX|1|ED|||" + std::string(options.max_frame_bytes, 'x') + "\r");
  ASSERT_FALSE(client.write_raw(mllp_frame(too_large)));
  beast::error_code error;
  auto rejected = client.read_mllp_frame(&error);
  ASSERT_TRUE(rejected.has_value()) << error.message();
  EXPECT_EQ(ack_code(*rejected), "AR");
  EXPECT_EQ(acknowledged_control_id(*rejected), "MSG-BIG");
  auto err = segment_fields(*rejected, "ERR");
  ASSERT_GT(err.size(), 8u) << *rejected;
  EXPECT_EQ(err[8].rfind("MESSAGE_TOO_LARGE: ", 0), 0u) << err[8];
  EXPECT_TRUE(client.closed_by_server());
  EXPECT_EQ(delivered_count(), 1u) << "the handler never sees the oversized frame";
}

TEST_F(MllpIngressTest, ASilentConnectionIsClosedAfterTheIdleTimeout) {
  MllpServerOptions options;
  options.idle_timeout_ms = 200;
  serve(options);
  PlainClient client;
  ASSERT_FALSE(client.connect(port_));
  const auto started = std::chrono::steady_clock::now();
  beast::error_code error;
  auto frame = client.read_mllp_frame(&error);  // nothing sent: the server must hang up
  EXPECT_FALSE(frame.has_value());
  EXPECT_TRUE(error && error != beast::error::timeout) << "the server ended it: " << error.message();
  EXPECT_LT(std::chrono::steady_clock::now() - started, 3s) << "closed by the idle timeout, not by the test's own";
  EXPECT_EQ(delivered_count(), 0u);
}

// ── hl7_ack ───────────────────────────────────────────────────────────────────────────────

TEST(Hl7Ack, SwapsSenderAndReceiverAndAcknowledgesTheControlId) {
  std::string ack = hl7_ack(hl7_message("CTRL-0042"), "AA");
  auto msh = segment_fields(ack, "MSH");
  ASSERT_EQ(msh.size(), 12u) << ack;
  EXPECT_EQ(msh[1], "^~\\&");
  EXPECT_EQ(msh[2], "SUTURE");    // MSH-3 sending application ← the message's receiving one
  EXPECT_EQ(msh[3], "HOSPITAL");  // MSH-4 sending facility
  EXPECT_EQ(msh[4], "LIS");       // MSH-5 receiving application ← the message's sender
  EXPECT_EQ(msh[5], "LAB");       // MSH-6 receiving facility
  EXPECT_EQ(msh[6].size(), 14u) << "MSH-7 is a YYYYMMDDHHMMSS stamp: " << msh[6];
  EXPECT_EQ(msh[6].find_first_not_of("0123456789"), std::string::npos) << msh[6];
  EXPECT_EQ(msh[8], "ACK^R01^ACK");
  EXPECT_EQ(msh[9], "ACKCTRL-0042");
  EXPECT_EQ(msh[10], "P");
  EXPECT_EQ(msh[11], "2.5.1");
  EXPECT_EQ(segment_fields(ack, "MSA"), (std::vector<std::string>{"MSA", "AA", "CTRL-0042"}));
  EXPECT_TRUE(segment_fields(ack, "ERR").empty()) << "no ERR without an error";
  EXPECT_EQ(ack.back(), '\r');
}

TEST(Hl7Ack, ErrCarriesTheCodeAndTheTextEscaped) {
  std::string ack = hl7_ack(hl7_message("CTRL-7"), "AE", "POLICY_DENIED", "PID.3", "MRN a|b ^ c & d ~ e \\ f");
  const std::string escaped = "MRN a\\F\\b \\S\\ c \\T\\ d \\R\\ e \\E\\ f";
  EXPECT_EQ(segment_fields(ack, "MSA"), (std::vector<std::string>{"MSA", "AE", "CTRL-7", escaped}));
  auto err = segment_fields(ack, "ERR");
  ASSERT_EQ(err.size(), 9u) << ack;
  EXPECT_EQ(err[1], "");
  EXPECT_EQ(err[2], "PID.3");                                   // ERR-2 location
  EXPECT_EQ(err[3], "207^Application internal error^HL70357");  // ERR-3 HL7 error code
  EXPECT_EQ(err[4], "E");                                       // ERR-4 severity
  EXPECT_EQ(err[8], "POLICY_DENIED: " + escaped);               // ERR-8 our code and the text
}

TEST(Hl7Ack, AnswersInTheMessagesOwnDelimiters) {
  std::string message = "MSH#*~\\&#LIS#LAB#SUTURE#HOSPITAL#20260115080000##ADT*A01#C-9#P#2.3\rPID#1\r";
  std::string ack = hl7_ack(message, "AE", "BAD", "", "a#b*c");
  EXPECT_EQ(ack.rfind("MSH#*~\\&#SUTURE#HOSPITAL#LIS#LAB#", 0), 0u) << ack;
  EXPECT_NE(ack.find("#ACK*A01*ACK#ACKC-9#P#2.3\r"), std::string::npos) << ack;
  EXPECT_NE(ack.find("\rMSA#AE#C-9#a\\F\\b\\S\\c\r"), std::string::npos) << ack;
}

}  // namespace
