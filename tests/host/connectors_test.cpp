// connectors_test.cpp — the outbound connectors: the Odoo error table over every captured
// JSON-RPC envelope in shared/data/odoo17, and round trips on loopback against in-test peers (an
// Asio acceptor thread answering canned responses) for Odoo JSON-RPC and JSON-2, FHIR, webhooks,
// MLLP and HTTPS, with timeouts, refused and stale connections.
#include <gtest/gtest.h>

#include <sys/socket.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "runtime/host/connectors/connector.h"
#include "runtime/host/connectors/http_client.h"
#include "runtime/host/connectors/net.h"
#include "runtime/host/connectors/odoo_errors.h"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using json = nlohmann::json;
using namespace suture::host;
using std::chrono::milliseconds;
using std::chrono::steady_clock;

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string shared(const std::string& relative) {
  return std::string(SUTURE_SHARED_DATA) + "/" + relative;
}

json captured_errors() {
  return json::parse(read_file(shared("odoo17/jsonrpc_errors.json")));
}

std::vector<json> transcript() {
  std::vector<json> out;
  std::ifstream in(shared("odoo17/jsonrpc_transcript.jsonl"));
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(json::parse(line));
  return out;
}

const char* outcome_name(Outcome o) {
  return o == Outcome::Delivered ? "Delivered" : o == Outcome::Transient ? "Transient" : "Permanent";
}

// ---------------------------------------------------------------------------------------------
// A loopback peer: an acceptor on 127.0.0.1 and a thread per connection running `serve`.
class LoopbackServer {
 public:
  using Serve = std::function<void(tcp::socket&, LoopbackServer&)>;

  explicit LoopbackServer(Serve serve) : serve_(std::move(serve)), acceptor_(ioc_) {
    tcp::endpoint at(asio::ip::make_address("127.0.0.1"), 0);
    acceptor_.open(at.protocol());
    acceptor_.set_option(tcp::acceptor::reuse_address(true));
    acceptor_.bind(at);
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
    accept_thread_ = std::thread([this] { accept_loop(); });
  }

  ~LoopbackServer() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
      for (const auto& s : sockets_) ::shutdown(s->native_handle(), SHUT_RDWR);
    }
    cv_.notify_all();
    ::shutdown(acceptor_.native_handle(), SHUT_RDWR);  // wakes accept()
    accept_thread_.join();
    for (std::thread& t : workers_) t.join();
  }

  std::uint16_t port() const { return port_; }
  int connections() const { return connections_.load(); }

  // For a peer that never answers: blocks until the server stops.
  void wait_for_stop() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return stopping_; });
  }

 private:
  void accept_loop() {
    while (true) {
      auto socket = std::make_shared<tcp::socket>(ioc_);
      boost::system::error_code ec;
      acceptor_.accept(*socket, ec);
      std::lock_guard<std::mutex> lock(mu_);
      if (ec || stopping_) return;
      ++connections_;
      sockets_.push_back(socket);
      workers_.emplace_back([this, socket] {
        serve_(*socket, *this);
        boost::system::error_code ignored;
        socket->shutdown(tcp::socket::shutdown_both, ignored);  // the fd stays ours until the end
      });
    }
  }

  Serve serve_;
  asio::io_context ioc_;
  tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  std::thread accept_thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::atomic<int> connections_{0};
  std::vector<std::shared_ptr<tcp::socket>> sockets_;
  std::vector<std::thread> workers_;
};

struct Seen {
  std::string method;
  std::string target;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

struct Canned {
  Canned() = default;
  Canned(unsigned s, std::string b, std::vector<std::pair<std::string, std::string>> h = {},
         std::string type = "application/json")
      : status(s), body(std::move(b)), headers(std::move(h)), content_type(std::move(type)) {}

  unsigned status = 200;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string content_type = "application/json";
  bool hang = false;         // never answer
  bool close_after = false;  // answer, then close without saying so (a keep-alive gone stale)
  bool drop = false;         // close without answering
};

// An HTTP/1.1 peer that records every request and answers with `answer(request)`.
class HttpPeer {
 public:
  using Answer = std::function<Canned(const Seen&)>;
  explicit HttpPeer(Answer answer)
      : answer_(std::move(answer)), server_([this](tcp::socket& s, LoopbackServer& server) { serve(s, server); }) {}

  std::string url(const std::string& path = "") const {
    return "http://127.0.0.1:" + std::to_string(server_.port()) + path;
  }
  std::vector<Seen> seen() {
    std::lock_guard<std::mutex> lock(mu_);
    return seen_;
  }
  int connections() const { return server_.connections(); }

 private:
  void serve(tcp::socket& socket, LoopbackServer& server) {
    beast::flat_buffer buffer;
    while (true) {
      http::request<http::string_body> req;
      boost::system::error_code ec;
      http::read(socket, buffer, req, ec);
      if (ec) return;
      Seen s;
      s.method = std::string(req.method_string());
      s.target = std::string(req.target());
      for (const auto& f : req) {
        std::string name(f.name_string());
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        s.headers[name] = std::string(f.value());
      }
      s.body = req.body();
      {
        std::lock_guard<std::mutex> lock(mu_);
        seen_.push_back(s);
      }
      Canned c = answer_(s);
      if (c.hang) {
        server.wait_for_stop();
        return;
      }
      if (c.drop) return;
      http::response<http::string_body> res{static_cast<http::status>(c.status), 11};
      res.set(http::field::content_type, c.content_type);
      for (const auto& [name, value] : c.headers) res.set(name, value);
      res.body() = c.body;
      res.keep_alive(req.keep_alive());
      res.prepare_payload();
      http::write(socket, res, ec);
      if (ec || c.close_after || !req.keep_alive()) return;
    }
  }

  Answer answer_;
  std::mutex mu_;
  std::vector<Seen> seen_;
  LoopbackServer server_;  // last: its threads stop before the members they use go
};

// An MLLP peer: reads frames, answers each with the ACK `ack(message)` gives ("" = never answer).
class MllpPeer {
 public:
  using Ack = std::function<std::string(const std::string&)>;
  explicit MllpPeer(Ack ack)
      : ack_(std::move(ack)), server_([this](tcp::socket& s, LoopbackServer& server) { serve(s, server); }) {}

  std::string url() const { return "mllp://127.0.0.1:" + std::to_string(server_.port()); }
  std::vector<std::string> received() {
    std::lock_guard<std::mutex> lock(mu_);
    return received_;
  }
  int connections() const { return server_.connections(); }

 private:
  void serve(tcp::socket& socket, LoopbackServer& server) {
    std::string buffer;
    while (true) {
      boost::system::error_code ec;
      std::size_t n = asio::read_until(socket, asio::dynamic_buffer(buffer), std::string("\x1c\r"), ec);
      if (ec) return;
      std::string frame = buffer.substr(0, n);
      buffer.erase(0, n);
      std::string message = frame.substr(1, frame.size() - 3);  // <VT> … <FS><CR>
      {
        std::lock_guard<std::mutex> lock(mu_);
        received_.push_back(message);
      }
      std::string ack = ack_(message);
      if (ack.empty()) {
        server.wait_for_stop();
        return;
      }
      asio::write(socket, asio::buffer("\x0b" + ack + "\x1c\r"), ec);
      if (ec) return;
    }
  }

  Ack ack_;
  std::mutex mu_;
  std::vector<std::string> received_;
  LoopbackServer server_;
};

// A port nothing listens on: bound once, then released.
std::uint16_t closed_port() {
  asio::io_context ioc;
  tcp::acceptor a(ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  std::uint16_t port = a.local_endpoint().port();
  a.close();
  return port;
}

EndpointConfig endpoint(EndpointKind kind, const std::string& url, std::uint32_t timeout_ms = 3000) {
  EndpointConfig e;
  e.name = "test";
  e.kind = kind;
  e.url = url;
  e.timeout_ms = timeout_ms;
  return e;
}

EndpointConfig odoo_endpoint(const std::string& url, std::uint32_t timeout_ms = 3000) {
  EndpointConfig e = endpoint(EndpointKind::OdooJsonRpc, url, timeout_ms);
  e.database = "suture_probe";
  e.login = "admin";
  e.password = Secret{"env:ODOO_PASSWORD", "admin"};
  return e;
}

DeliveryRequest odoo_request(const std::string& op, const std::string& model, const std::string& payload,
                             const std::string& key = "") {
  DeliveryRequest r;
  r.family = "odoo";
  r.operation = op;
  r.args = {model};
  r.key_field = key;
  r.payload = payload;
  r.idempotency_key = "idem-1";
  r.delivery_id = 1;
  return r;
}

// The recorded JSON-RPC answer an Odoo 17 gave to a request like `params`, from the transcript.
json recorded_response(const std::string& model, const std::string& method) {
  for (const json& entry : transcript()) {
    const json& args = entry["request"]["params"]["args"];
    if (entry["request"]["params"]["method"] == "execute_kw" && args[3] == model && args[4] == method)
      return entry["response"];
  }
  return json();
}

// ---------------------------------------------------------------------------------------------
// The Odoo error table on the captured envelopes.

TEST(OdooErrors, EveryCapturedEnvelopeIsClassified) {
  const std::map<std::string, std::pair<Outcome, std::string>> expected = {
      {"unknown_method", {Outcome::Permanent, "ODOO_UNKNOWN_METHOD"}},
      {"missing_record_write", {Outcome::Permanent, "ODOO_MISSING_RECORD"}},
      {"validation_required_field", {Outcome::Permanent, "ODOO_VALIDATION"}},
      {"bad_selection", {Outcome::Permanent, "ODOO_VALUE_ERROR"}},
      {"bad_many2one", {Outcome::Permanent, "ODOO_VALIDATION"}},
      {"access_denied_login", {Outcome::Permanent, "ODOO_ACCESS_DENIED"}},
      {"access_denied_execute", {Outcome::Permanent, "ODOO_ACCESS_DENIED"}},
      {"unknown_model", {Outcome::Permanent, "ODOO_UNKNOWN_MODEL"}},
  };
  json captures = captured_errors();
  ASSERT_GE(captures.size(), expected.size());
  for (const auto& [name, envelope] : captures.items()) {
    SCOPED_TRACE(name);
    auto want = expected.find(name);
    ASSERT_NE(want, expected.end()) << "a captured envelope the test does not classify yet";
    JsonRpcReply reply = read_jsonrpc_reply(envelope.dump());
    DeliveryResult got;
    if (reply.ok) {  // login answered false
      auto uid = login_uid(reply.result);
      ASSERT_TRUE(std::holds_alternative<DeliveryResult>(uid));
      got = std::get<DeliveryResult>(uid);
    } else {
      got = reply.failure;
      // The detail is Odoo's message, never the traceback.
      std::string message = envelope["error"]["data"]["message"];
      EXPECT_NE(got.detail.find(message.substr(0, std::min<std::size_t>(message.find('\n'), 40))), std::string::npos)
          << got.detail;
    }
    EXPECT_EQ(outcome_name(got.outcome), outcome_name(want->second.first));
    EXPECT_EQ(got.code, want->second.second);
    EXPECT_EQ(got.detail.find("Traceback"), std::string::npos);
  }
}

TEST(OdooErrors, DatabaseContentionIsTransientAndDataErrorsArePermanent) {
  struct Row {
    const char* name;
    Outcome outcome;
    const char* code;
  };
  const Row rows[] = {
      {"psycopg2.errors.SerializationFailure", Outcome::Transient, "ODOO_CONCURRENCY"},
      {"psycopg2.extensions.TransactionRollbackError", Outcome::Transient, "ODOO_CONCURRENCY"},
      {"psycopg2.errors.LockNotAvailable", Outcome::Transient, "ODOO_CONCURRENCY"},
      {"psycopg2.errors.DeadlockDetected", Outcome::Transient, "ODOO_CONCURRENCY"},
      {"psycopg2.OperationalError", Outcome::Transient, "ODOO_DATABASE_UNAVAILABLE"},
      {"odoo.exceptions.ConcurrencyError", Outcome::Transient, "ODOO_CONCURRENCY"},
      {"psycopg2.errors.UniqueViolation", Outcome::Permanent, "ODOO_DATABASE_ERROR"},
      {"odoo.exceptions.AccessError", Outcome::Permanent, "ODOO_ACCESS"},
      {"odoo.exceptions.UserError", Outcome::Permanent, "ODOO_USER_ERROR"},
      {"werkzeug.exceptions.Unauthorized", Outcome::Permanent, "ODOO_ACCESS_DENIED"},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    auto fault = classify_odoo_exception(row.name, "message");
    ASSERT_TRUE(fault.has_value());
    EXPECT_EQ(outcome_name(fault->outcome), outcome_name(row.outcome));
    EXPECT_EQ(fault->code, row.code);
  }
  EXPECT_FALSE(classify_odoo_exception("builtins.RuntimeError", "boom").has_value());
  json unknown = {{"code", 200}, {"message", "Odoo Server Error"}, {"data", {{"name", "builtins.RuntimeError"}}}};
  EXPECT_EQ(classify_jsonrpc_error(unknown).code, "ODOO_SERVER_ERROR");
  EXPECT_EQ(classify_jsonrpc_error(unknown).outcome, Outcome::Permanent);
}

TEST(OdooErrors, Json2ErrorsByNameThenByStatus) {
  auto answer = [](std::uint32_t status, std::string body) {
    HttpResponse r;
    r.status = status;
    r.body = std::move(body);
    return r;
  };
  // The documented 401 for a bad key.
  DeliveryResult unauthorized = classify_json2_error(answer(
      401,
      R"({"name": "werkzeug.exceptions.Unauthorized", "message": "Invalid apikey", "arguments": ["Invalid apikey", 401], "context": {}, "debug": "Traceback …"})"));
  EXPECT_EQ(unauthorized.outcome, Outcome::Permanent);
  EXPECT_EQ(unauthorized.code, "ODOO_ACCESS_DENIED");
  EXPECT_EQ(unauthorized.http_status, 401u);
  EXPECT_EQ(unauthorized.detail.find("Traceback"), std::string::npos);

  DeliveryResult serialization = classify_json2_error(
      answer(500, R"({"name": "psycopg2.errors.SerializationFailure", "message": "could not serialize access"})"));
  EXPECT_EQ(serialization.outcome, Outcome::Transient);
  EXPECT_EQ(serialization.code, "ODOO_CONCURRENCY");

  DeliveryResult validation = classify_json2_error(
      answer(422, R"({"name": "odoo.exceptions.ValidationError", "message": "Contacts require a name"})"));
  EXPECT_EQ(validation.outcome, Outcome::Permanent);
  EXPECT_EQ(validation.code, "ODOO_VALIDATION");

  DeliveryResult gateway = classify_json2_error(answer(502, "<html>Bad Gateway</html>"));
  EXPECT_EQ(gateway.outcome, Outcome::Transient);
  EXPECT_EQ(gateway.code, "ODOO_HTTP_502");

  DeliveryResult not_found = classify_json2_error(answer(404, "not here"));
  EXPECT_EQ(not_found.outcome, Outcome::Permanent);
  EXPECT_EQ(not_found.code, "ODOO_HTTP_404");
}

TEST(Net, ParsesEndpointUrls) {
  std::string error;
  auto a = net::parse_url("https://odoo.example.com/base/", &error);
  ASSERT_TRUE(a) << error;
  EXPECT_EQ(a->host, "odoo.example.com");
  EXPECT_EQ(a->port, "443");
  EXPECT_EQ(a->base_path, "/base");
  EXPECT_EQ(a->host_header(), "odoo.example.com");
  auto b = net::parse_url("http://[::1]:8069", &error);
  ASSERT_TRUE(b) << error;
  EXPECT_EQ(b->host, "::1");
  EXPECT_EQ(b->host_header(), "[::1]:8069");
  auto c = net::parse_url("mllp://lab.example:2575", &error);
  ASSERT_TRUE(c) << error;
  EXPECT_EQ(c->port, "2575");
  EXPECT_FALSE(net::parse_url("ftp://x", &error));
  EXPECT_FALSE(net::parse_url("http://user:pw@x", &error));
  EXPECT_FALSE(net::parse_url("http://x:99999", &error));
}

// ---------------------------------------------------------------------------------------------
// Odoo JSON-RPC against a stand-in Odoo.

// A small Odoo: records by id with their vals; answers login, search, create, write, unlink.
struct FakeOdoo {
  std::mutex mu;
  std::map<std::int64_t, json> records;
  std::int64_t next_id = 11;  // the transcript's Jane Q. Doe was record 11
  int logins = 0;
  std::vector<json> calls;  // execute_kw args
  std::function<std::optional<json>(const json& params)> override_answer;

  Canned answer(const Seen& seen) {
    json request = json::parse(seen.body);
    json params = request["params"];
    std::lock_guard<std::mutex> lock(mu);
    json envelope = {{"jsonrpc", "2.0"}, {"id", request["id"]}};
    if (override_answer) {
      if (auto forced = override_answer(params)) {
        json out = *forced;
        out["id"] = request["id"];
        return Canned{200, out.dump()};
      }
    }
    if (params["service"] == "common" && params["method"] == "login") {
      ++logins;
      envelope["result"] = 2;
      return Canned{200, envelope.dump()};
    }
    json args = params["args"];
    calls.push_back(args);
    const std::string method = args[4];
    json positional = args[5];
    if (method == "search") {
      const json& clause = positional[0][0];
      json ids = json::array();
      for (const auto& [id, vals] : records)
        if (vals.contains(clause[0].get<std::string>()) && vals[clause[0].get<std::string>()] == clause[2])
          ids.push_back(id);
      envelope["result"] = ids;
    } else if (method == "create") {
      json ids = json::array();
      for (const json& vals : positional[0]) {
        records[next_id] = vals;
        ids.push_back(next_id++);
      }
      envelope["result"] = ids;
    } else if (method == "write") {
      for (const json& id : positional[0]) records[id.get<std::int64_t>()].update(positional[1]);
      envelope["result"] = true;
    } else if (method == "unlink") {
      for (const json& id : positional[0]) records.erase(id.get<std::int64_t>());
      envelope["result"] = true;
    } else {
      return Canned{200, captured_errors()["unknown_method"].dump()};
    }
    return Canned{200, envelope.dump()};
  }
};

// Jane Q. Doe's vals as the captured session created her.
json jane() {
  for (const json& entry : transcript()) {
    const json& args = entry["request"]["params"]["args"];
    if (args.size() > 5 && args[3] == "res.partner" && args[4] == "create" &&
        args[5][0].value("ref", "") == "MRN719176")
      return args[5][0];
  }
  return json();
}

TEST(OdooJsonRpc, UpsertSearchesThenCreatesThenWrites) {
  FakeOdoo odoo;
  HttpPeer peer([&](const Seen& s) { return odoo.answer(s); });
  auto connector = make_connector(odoo_endpoint(peer.url()));
  json vals = jane();
  ASSERT_EQ(vals.value("ref", ""), "MRN719176");

  DeliveryRequest first = odoo_request("upsert", "res.partner", vals.dump(), "ref");
  first.traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
  DeliveryResult created = connector->deliver(first);
  ASSERT_EQ(created.outcome, Outcome::Delivered) << created.code << " " << created.detail;
  EXPECT_EQ(created.remote_id, "11");

  vals["phone"] = "+1-555-000-1111";
  DeliveryResult written = connector->deliver(odoo_request("upsert", "res.partner", vals.dump(), "ref"));
  ASSERT_EQ(written.outcome, Outcome::Delivered) << written.code << " " << written.detail;
  EXPECT_EQ(written.remote_id, "11");

  std::lock_guard<std::mutex> lock(odoo.mu);
  EXPECT_EQ(odoo.logins, 1) << "the uid is kept";
  ASSERT_EQ(odoo.calls.size(), 4u);
  const json expected_domain = json::array({json::array({"ref", "=", "MRN719176"})});
  EXPECT_EQ(odoo.calls[0][0], "suture_probe");
  EXPECT_EQ(odoo.calls[0][1], 2);
  EXPECT_EQ(odoo.calls[0][2], "admin");
  EXPECT_EQ(odoo.calls[0][4], "search");
  EXPECT_EQ(odoo.calls[0][5][0], expected_domain);
  EXPECT_EQ(odoo.calls[1][4], "create");
  EXPECT_EQ(odoo.calls[1][5], json::array({json::array({jane()})}));
  EXPECT_EQ(odoo.calls[2][4], "search");
  EXPECT_EQ(odoo.calls[3][4], "write");
  EXPECT_EQ(odoo.calls[3][5][0], json::array({11}));
  EXPECT_EQ(odoo.records.size(), 1u);
  EXPECT_EQ(odoo.records[11]["phone"], "+1-555-000-1111");

  std::vector<Seen> seen = peer.seen();
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen[0].target, "/jsonrpc");
  EXPECT_EQ(seen[0].header("host"), "127.0.0.1:" + peer.url().substr(peer.url().rfind(':') + 1));
  EXPECT_EQ(seen[1].header("traceparent"), first.traceparent);
  EXPECT_EQ(peer.connections(), 1) << "one keep-alive connection carried every call";
}

TEST(OdooJsonRpc, CreateTakesTheRecordedAnswer) {
  // The real Odoo 17 answered a single-dict create with a bare id: that is a record id too.
  json recorded = recorded_response("res.partner", "create");
  ASSERT_TRUE(recorded.contains("result"));
  FakeOdoo odoo;
  odoo.override_answer = [&](const json& params) -> std::optional<json> {
    if (params["method"] == "execute_kw") return recorded;
    return std::nullopt;
  };
  HttpPeer peer([&](const Seen& s) { return odoo.answer(s); });
  auto connector = make_connector(odoo_endpoint(peer.url()));
  DeliveryResult r = connector->deliver(odoo_request("create", "res.partner", jane().dump()));
  ASSERT_EQ(r.outcome, Outcome::Delivered) << r.code << " " << r.detail;
  EXPECT_EQ(r.remote_id, std::to_string(recorded["result"].get<std::int64_t>()));
}

TEST(OdooJsonRpc, WriteAndUnlinkFindByKey) {
  FakeOdoo odoo;
  odoo.records[11] = jane();
  HttpPeer peer([&](const Seen& s) { return odoo.answer(s); });
  auto connector = make_connector(odoo_endpoint(peer.url()));

  json change = {{"ref", "MRN719176"}, {"city", "Cambridge"}};
  DeliveryResult w = connector->deliver(odoo_request("write", "res.partner", change.dump(), "ref"));
  ASSERT_EQ(w.outcome, Outcome::Delivered) << w.code;
  EXPECT_EQ(w.remote_id, "11");

  json other = {{"ref", "MRN000000"}, {"city", "Nowhere"}};
  DeliveryResult missing = connector->deliver(odoo_request("write", "res.partner", other.dump(), "ref"));
  EXPECT_EQ(missing.outcome, Outcome::Permanent);
  EXPECT_EQ(missing.code, "ODOO_MISSING_RECORD");
  EXPECT_EQ(missing.detail.find("MRN000000"), std::string::npos) << "key values stay out of details";

  DeliveryResult gone = connector->deliver(odoo_request("unlink", "res.partner", change.dump(), "ref"));
  ASSERT_EQ(gone.outcome, Outcome::Delivered) << gone.code;
  DeliveryResult again = connector->deliver(odoo_request("unlink", "res.partner", change.dump(), "ref"));
  EXPECT_EQ(again.outcome, Outcome::Delivered) << "a repeated unlink finds nothing left to do";
  std::lock_guard<std::mutex> lock(odoo.mu);
  EXPECT_TRUE(odoo.records.empty());
}

TEST(OdooJsonRpc, ErrorEnvelopeIsPermanent) {
  FakeOdoo odoo;
  odoo.override_answer = [](const json& params) -> std::optional<json> {
    if (params["method"] == "execute_kw") return captured_errors()["validation_required_field"];
    return std::nullopt;
  };
  HttpPeer peer([&](const Seen& s) { return odoo.answer(s); });
  auto connector = make_connector(odoo_endpoint(peer.url()));
  DeliveryResult r = connector->deliver(odoo_request("create", "res.partner", R"({"email":"x@example.org"})"));
  EXPECT_EQ(r.outcome, Outcome::Permanent);
  EXPECT_EQ(r.code, "ODOO_VALIDATION");
  EXPECT_NE(r.detail.find("Contacts require a name"), std::string::npos) << r.detail;
  EXPECT_EQ(r.http_status, 200u);
}

TEST(OdooJsonRpc, LoginRefusedIsPermanent) {
  FakeOdoo odoo;
  odoo.override_answer = [](const json& params) -> std::optional<json> {
    if (params["method"] == "login") return captured_errors()["access_denied_login"];
    return std::nullopt;
  };
  HttpPeer peer([&](const Seen& s) { return odoo.answer(s); });
  auto connector = make_connector(odoo_endpoint(peer.url()));
  DeliveryResult r = connector->deliver(odoo_request("create", "res.partner", R"({"name":"x"})"));
  EXPECT_EQ(r.outcome, Outcome::Permanent);
  EXPECT_EQ(r.code, "ODOO_ACCESS_DENIED");
}

TEST(OdooJsonRpc, LogsInAgainOnceWhenAccessIsDenied) {
  FakeOdoo odoo;
  int denials_left = 0;
  odoo.override_answer = [&](const json& params) -> std::optional<json> {
    if (params["method"] == "execute_kw" && denials_left > 0) {
      --denials_left;
      return captured_errors()["access_denied_execute"];
    }
    return std::nullopt;
  };
  HttpPeer peer([&](const Seen& s) { return odoo.answer(s); });
  auto connector = make_connector(odoo_endpoint(peer.url()));
  ASSERT_EQ(connector->deliver(odoo_request("create", "res.partner", R"({"name":"a"})")).outcome, Outcome::Delivered);

  {
    std::lock_guard<std::mutex> lock(odoo.mu);
    denials_left = 1;  // the kept uid stops working once
  }
  DeliveryResult recovered = connector->deliver(odoo_request("create", "res.partner", R"({"name":"b"})"));
  EXPECT_EQ(recovered.outcome, Outcome::Delivered) << recovered.code;
  {
    std::lock_guard<std::mutex> lock(odoo.mu);
    EXPECT_EQ(odoo.logins, 2);
    denials_left = 5;  // and now for good: one more login, then give up
  }
  DeliveryResult refused = connector->deliver(odoo_request("create", "res.partner", R"({"name":"c"})"));
  EXPECT_EQ(refused.outcome, Outcome::Permanent);
  EXPECT_EQ(refused.code, "ODOO_ACCESS_DENIED");
  std::lock_guard<std::mutex> lock(odoo.mu);
  EXPECT_EQ(odoo.logins, 3);
  EXPECT_EQ(denials_left, 3);
}

TEST(OdooJsonRpc, ServiceUnavailableIsTransient) {
  HttpPeer peer([](const Seen&) { return Canned{503, "<html>maintenance</html>", {}, "text/html"}; });
  auto connector = make_connector(odoo_endpoint(peer.url()));
  DeliveryResult r = connector->deliver(odoo_request("create", "res.partner", R"({"name":"x"})"));
  EXPECT_EQ(r.outcome, Outcome::Transient);
  EXPECT_EQ(r.code, "HTTP_503");
  EXPECT_EQ(r.http_status, 503u);
}

TEST(OdooJsonRpc, SilentServerTimesOutWithinTheTimeout) {
  HttpPeer peer([](const Seen&) {
    Canned c;
    c.hang = true;
    return c;
  });
  auto connector = make_connector(odoo_endpoint(peer.url(), 300));
  auto started = steady_clock::now();
  DeliveryResult r = connector->deliver(odoo_request("create", "res.partner", R"({"name":"x"})"));
  auto took = std::chrono::duration_cast<milliseconds>(steady_clock::now() - started).count();
  EXPECT_EQ(r.outcome, Outcome::Transient);
  EXPECT_EQ(r.code, "TIMEOUT");
  EXPECT_GE(took, 250);
  EXPECT_LT(took, 1500);
  EXPECT_GE(r.elapsed_ms, 250u);
}

TEST(OdooJsonRpc, RefusedConnectionIsTransientConnect) {
  auto connector = make_connector(odoo_endpoint("http://127.0.0.1:" + std::to_string(closed_port())));
  DeliveryResult r = connector->deliver(odoo_request("create", "res.partner", R"({"name":"x"})"));
  EXPECT_EQ(r.outcome, Outcome::Transient);
  EXPECT_EQ(r.code, "CONNECT");
}

TEST(OdooJsonRpc, ChecksOperationsBeforeSending) {
  auto connector = make_connector(odoo_endpoint("http://127.0.0.1:1"));
  EXPECT_EQ(connector->check(odoo_request("upsert", "res.partner", "{}", "ref")), "");
  EXPECT_NE(connector->check(odoo_request("upsert", "res.partner", "{}")), "") << "upsert needs a key";
  EXPECT_NE(connector->check(odoo_request("merge", "res.partner", "{}")), "");
  DeliveryResult r = connector->deliver(odoo_request("merge", "res.partner", "{}"));
  EXPECT_EQ(r.outcome, Outcome::Permanent);
  EXPECT_EQ(r.code, "UNSUPPORTED_OPERATION");
}

// ---------------------------------------------------------------------------------------------
// Odoo 19 JSON-2.

TEST(OdooJson2, UpsertPostsNamedArgumentsWithBearerAndDatabase) {
  std::mutex mu;
  json records = json::object();
  HttpPeer peer([&](const Seen& s) {
    std::lock_guard<std::mutex> lock(mu);
    json body = json::parse(s.body);
    if (s.target == "/odoo/json/2/res.partner/search") {
      json ids = json::array();
      for (const auto& [id, vals] : records.items())
        if (vals["ref"] == body["domain"][0][2]) ids.push_back(std::stoi(id));
      return Canned{200, ids.dump()};
    }
    if (s.target == "/odoo/json/2/res.partner/create") {
      records["42"] = body["vals_list"][0];
      return Canned{200, "[42]"};
    }
    if (s.target == "/odoo/json/2/res.partner/write") {
      records["42"].update(body["vals"]);
      return Canned{200, "true"};
    }
    return Canned{404, R"({"name": "werkzeug.exceptions.NotFound", "message": "404 Not Found"})"};
  });
  EndpointConfig e = endpoint(EndpointKind::OdooJson2, peer.url("/odoo/"));
  e.database = "clinic";
  e.api_key = Secret{"env:ODOO_KEY", "6578616d706c65206a736f6e20617069206b6579"};
  auto connector = make_connector(e);

  json vals = {{"name", "Jane Q. Doe"}, {"ref", "MRN719176"}};
  DeliveryResult created = connector->deliver(odoo_request("upsert", "res.partner", vals.dump(), "ref"));
  ASSERT_EQ(created.outcome, Outcome::Delivered) << created.code << " " << created.detail;
  EXPECT_EQ(created.remote_id, "42");
  vals["city"] = "Boston";
  DeliveryResult written = connector->deliver(odoo_request("upsert", "res.partner", vals.dump(), "ref"));
  ASSERT_EQ(written.outcome, Outcome::Delivered) << written.code << " " << written.detail;
  EXPECT_EQ(written.remote_id, "42");

  std::vector<Seen> seen = peer.seen();
  ASSERT_EQ(seen.size(), 4u);
  EXPECT_EQ(seen[0].header("authorization"), "bearer 6578616d706c65206a736f6e20617069206b6579");
  EXPECT_EQ(seen[0].header("x-odoo-database"), "clinic");
  EXPECT_EQ(json::parse(seen[0].body)["domain"], json::array({json::array({"ref", "=", "MRN719176"})}));
  EXPECT_EQ(seen[1].target, "/odoo/json/2/res.partner/create");
  EXPECT_EQ(json::parse(seen[1].body),
            (json{{"vals_list", json::array({{{"name", "Jane Q. Doe"}, {"ref", "MRN719176"}}})}}));
  EXPECT_EQ(seen[3].target, "/odoo/json/2/res.partner/write");
  EXPECT_EQ(json::parse(seen[3].body)["ids"], json::array({42}));
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_EQ(records["42"]["city"], "Boston");
}

TEST(OdooJson2, ErrorStatusWithExceptionNameIsClassified) {
  HttpPeer peer([](const Seen& s) {
    if (s.target.find("/create") != std::string::npos)
      return Canned{422, R"({"name": "odoo.exceptions.ValidationError", "message": "Contacts require a name"})"};
    return Canned{503, R"({"name": "psycopg2.errors.SerializationFailure", "message": "could not serialize"})"};
  });
  EndpointConfig e = endpoint(EndpointKind::OdooJson2, peer.url());
  e.api_key = Secret{"env:ODOO_KEY", "k"};
  auto connector = make_connector(e);
  DeliveryResult invalid = connector->deliver(odoo_request("create", "res.partner", R"({"email":"x"})"));
  EXPECT_EQ(invalid.outcome, Outcome::Permanent);
  EXPECT_EQ(invalid.code, "ODOO_VALIDATION");
  EXPECT_EQ(invalid.http_status, 422u);
  DeliveryResult busy = connector->deliver(odoo_request("upsert", "res.partner", R"({"ref":"a"})", "ref"));
  EXPECT_EQ(busy.outcome, Outcome::Transient);
  EXPECT_EQ(busy.code, "ODOO_CONCURRENCY");
  EXPECT_NE(connector->check(odoo_request("create", "res.partner/../x", "{}")), "");
}

// ---------------------------------------------------------------------------------------------
// FHIR REST.

DeliveryRequest fhir_request(const std::string& op, const std::string& type, const std::string& payload) {
  DeliveryRequest r;
  r.family = "fhir";
  r.operation = op;
  if (!type.empty()) r.args = {type};
  r.payload = payload;
  r.idempotency_key = "idem-f";
  return r;
}

TEST(Fhir, ConditionalCreateSendsIfNoneExist) {
  HttpPeer peer([&](const Seen&) {
    return Canned{201,
                  R"({"resourceType":"Patient","id":"p-77"})",
                  {{"Location", "http://fhir.example/fhir/Patient/p-77/_history/1"}},
                  "application/fhir+json"};
  });
  EndpointConfig e = endpoint(EndpointKind::Fhir, peer.url("/fhir"));
  e.api_key = Secret{"env:FHIR_TOKEN", "tok"};
  e.headers["X-Tenant"] = "ward-3";
  auto connector = make_connector(e);
  std::string patient = read_file(shared("fhir-r4/examples/Patient-f001.json"));
  DeliveryRequest request = fhir_request("conditional_create", "Patient", patient);
  request.traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
  DeliveryResult r = connector->deliver(request);
  ASSERT_EQ(r.outcome, Outcome::Delivered) << r.code << " " << r.detail;
  EXPECT_EQ(r.remote_id, "http://fhir.example/fhir/Patient/p-77/_history/1");
  EXPECT_EQ(r.http_status, 201u);

  std::vector<Seen> seen = peer.seen();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].method, "POST");
  EXPECT_EQ(seen[0].target, "/fhir/Patient");
  EXPECT_EQ(seen[0].header("if-none-exist"), "identifier=urn:oid:2.16.840.1.113883.2.4.6.3|738472983");
  EXPECT_EQ(seen[0].header("content-type"), "application/fhir+json");
  EXPECT_EQ(seen[0].header("authorization"), "Bearer tok");
  EXPECT_EQ(seen[0].header("x-tenant"), "ward-3");
  EXPECT_EQ(seen[0].header("traceparent"), request.traceparent);
  EXPECT_EQ(seen[0].body, patient);
}

TEST(Fhir, UpdatePutsToTheResourceId) {
  HttpPeer peer([](const Seen&) { return Canned{200, R"({"resourceType":"Patient","id":"f001"})"}; });
  auto connector = make_connector(endpoint(EndpointKind::Fhir, peer.url("/fhir/")));
  DeliveryResult r =
      connector->deliver(fhir_request("update", "Patient", read_file(shared("fhir-r4/examples/Patient-f001.json"))));
  ASSERT_EQ(r.outcome, Outcome::Delivered) << r.code << " " << r.detail;
  EXPECT_EQ(r.remote_id, "Patient/f001");
  std::vector<Seen> seen = peer.seen();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].method, "PUT");
  EXPECT_EQ(seen[0].target, "/fhir/Patient/f001");
  DeliveryResult wrong =
      connector->deliver(fhir_request("update", "Observation", R"({"resourceType":"Patient","id":"a"})"));
  EXPECT_EQ(wrong.outcome, Outcome::Permanent);
  EXPECT_EQ(wrong.code, "BAD_PAYLOAD");
}

TEST(Fhir, OperationOutcomeIsPermanentAndServerTroubleTransient) {
  HttpPeer peer([](const Seen& s) {
    if (s.target == "/Patient")
      return Canned{422,
                    R"({"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"business-rule",
                        "diagnostics":"Patient.gender: unknown code"},{"severity":"warning","code":"informational"}]})",
                    {},
                    "application/fhir+json"};
    if (s.target == "/Observation") return Canned{429, "{}"};
    return Canned{500, R"({"resourceType":"OperationOutcome","issue":[{"severity":"fatal","code":"exception"}]})"};
  });
  auto connector = make_connector(endpoint(EndpointKind::Fhir, peer.url()));
  DeliveryResult invalid = connector->deliver(fhir_request("create", "Patient", R"({"resourceType":"Patient"})"));
  EXPECT_EQ(invalid.outcome, Outcome::Permanent);
  EXPECT_EQ(invalid.code, "FHIR_BUSINESS_RULE");
  EXPECT_NE(invalid.detail.find("Patient.gender: unknown code"), std::string::npos) << invalid.detail;
  EXPECT_EQ(invalid.http_status, 422u);

  DeliveryResult throttled =
      connector->deliver(fhir_request("create", "Observation", R"({"resourceType":"Observation"})"));
  EXPECT_EQ(throttled.outcome, Outcome::Transient);
  EXPECT_EQ(throttled.code, "HTTP_429");

  DeliveryResult broken =
      connector->deliver(fhir_request("transaction", "", R"({"resourceType":"Bundle","type":"transaction"})"));
  EXPECT_EQ(broken.outcome, Outcome::Transient);
  EXPECT_EQ(broken.code, "HTTP_500");

  DeliveryResult no_identifier =
      connector->deliver(fhir_request("conditional_create", "Patient", R"({"resourceType":"Patient"})"));
  EXPECT_EQ(no_identifier.outcome, Outcome::Permanent);
  EXPECT_EQ(no_identifier.code, "BAD_PAYLOAD");
}

// ---------------------------------------------------------------------------------------------
// Webhooks.

DeliveryRequest http_request(const std::string& op, const std::string& path, const std::string& payload) {
  DeliveryRequest r;
  r.family = "http";
  r.operation = op;
  r.args = {path};
  r.payload = payload;
  r.idempotency_key = "b2f1c8e0-idem";
  return r;
}

TEST(Webhook, PostsWithIdempotencyKeyAndClassifiesStatuses) {
  HttpPeer peer([](const Seen& s) {
    if (s.target == "/hooks/ok") return Canned{202, ""};
    if (s.target == "/hooks/missing") return Canned{404, "no"};
    if (s.target == "/hooks/slow-down") return Canned{429, ""};
    return Canned{502, ""};
  });
  EndpointConfig e = endpoint(EndpointKind::Http, peer.url("/hooks"));
  e.api_key = Secret{"env:HOOK_TOKEN", "s3cret"};
  e.headers["X-Source"] = "suture";
  auto connector = make_connector(e);

  DeliveryRequest ok = http_request("post", "/ok", R"({"a":1})");
  ok.traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
  DeliveryResult delivered_result = connector->deliver(ok);
  EXPECT_EQ(delivered_result.outcome, Outcome::Delivered);
  EXPECT_EQ(delivered_result.http_status, 202u);
  std::vector<Seen> seen = peer.seen();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].method, "POST");
  EXPECT_EQ(seen[0].header("idempotency-key"), "b2f1c8e0-idem");
  EXPECT_EQ(seen[0].header("traceparent"), ok.traceparent);
  EXPECT_EQ(seen[0].header("authorization"), "Bearer s3cret");
  EXPECT_EQ(seen[0].header("x-source"), "suture");
  EXPECT_EQ(seen[0].header("content-type"), "application/json");
  EXPECT_EQ(seen[0].body, R"({"a":1})");

  DeliveryResult missing = connector->deliver(http_request("put", "/missing", "{}"));
  EXPECT_EQ(missing.outcome, Outcome::Permanent);
  EXPECT_EQ(missing.code, "HTTP_404");
  EXPECT_EQ(peer.seen().back().method, "PUT");
  EXPECT_EQ(connector->deliver(http_request("post", "/slow-down", "{}")).outcome, Outcome::Transient);
  DeliveryResult bad_gateway = connector->deliver(http_request("post", "/other", "{}"));
  EXPECT_EQ(bad_gateway.outcome, Outcome::Transient);
  EXPECT_EQ(bad_gateway.code, "HTTP_502");
}

TEST(Webhook, ConcurrentWorkersShareTheConnector) {
  std::atomic<int> answered{0};
  HttpPeer peer([&](const Seen& s) {
    ++answered;
    return Canned{201, "", {{"Location", "/items" + s.target}}};
  });
  EndpointConfig e = endpoint(EndpointKind::Http, peer.url());
  e.concurrency = 4;
  auto connector = make_connector(e);
  std::vector<std::thread> workers;
  workers.reserve(4);
  std::atomic<int> delivered_count{0};
  for (int w = 0; w < 4; ++w) {
    workers.emplace_back([&, w] {
      for (int i = 0; i < 25; ++i) {
        std::string path = "/" + std::to_string(w) + "-" + std::to_string(i);
        DeliveryResult r = connector->deliver(http_request("post", path, "{}"));
        if (r.outcome == Outcome::Delivered && r.remote_id == "/items" + path) ++delivered_count;
      }
    });
  }
  for (std::thread& t : workers) t.join();
  EXPECT_EQ(delivered_count.load(), 100);
  EXPECT_EQ(answered.load(), 100);
  EXPECT_LE(peer.connections(), 4) << "connections are kept and shared, at most one per worker";
}

TEST(Webhook, ServerThatStopsAnsweringOnAKeptConnectionTimesOut) {
  std::atomic<int> count{0};
  HttpPeer peer([&](const Seen&) {
    Canned c{204, ""};
    c.hang = ++count == 2;
    return c;
  });
  auto connector = make_connector(endpoint(EndpointKind::Http, peer.url(), 200));
  ASSERT_EQ(connector->deliver(http_request("post", "/x", "{}")).outcome, Outcome::Delivered);
  std::this_thread::sleep_for(milliseconds(250));  // longer than the timeout: the deadline is per delivery
  auto started = steady_clock::now();
  DeliveryResult r = connector->deliver(http_request("post", "/x", "{}"));
  auto took = std::chrono::duration_cast<milliseconds>(steady_clock::now() - started).count();
  EXPECT_EQ(r.code, "TIMEOUT");
  EXPECT_EQ(r.outcome, Outcome::Transient);
  EXPECT_GE(took, 150);
  EXPECT_LT(took, 1200);
  EXPECT_EQ(peer.connections(), 1);
}

// ---------------------------------------------------------------------------------------------
// The HTTP client itself: keep-alive reuse, a connection the server dropped, TLS.

TEST(HttpClient, ReusesKeepAliveAndReplacesAStaleConnection) {
  std::atomic<int> count{0};
  HttpPeer peer([&](const Seen&) {
    Canned c{200, "ok"};
    c.close_after = ++count == 2;  // the second answer, then the server drops the connection
    return c;
  });
  std::string error;
  HttpClient client(*net::parse_url(peer.url(), &error), HttpClientOptions{});
  HttpRequest request;
  request.method = "GET";
  request.target = "/ping";
  for (int i = 0; i < 4; ++i) {
    HttpResponse r = client.send(request, steady_clock::now() + milliseconds(2000));
    ASSERT_TRUE(r.ok()) << r.error_detail;
    EXPECT_EQ(r.status, 200u);
    EXPECT_EQ(r.body, "ok");
  }
  EXPECT_EQ(peer.connections(), 2);
  EXPECT_EQ(count.load(), 4);
}

TEST(HttpClient, RequestOnAConnectionClosedMeanwhileGoesAgainOnceOnAFreshOne) {
  std::atomic<int> count{0};
  HttpPeer peer([&](const Seen&) {
    Canned c{200, "ok"};
    c.drop = ++count == 2;  // the kept connection dies as the second request arrives
    return c;
  });
  std::string error;
  HttpClient client(*net::parse_url(peer.url(), &error), HttpClientOptions{});
  HttpRequest request;
  for (int i = 0; i < 2; ++i) {
    HttpResponse r = client.send(request, steady_clock::now() + milliseconds(2000));
    ASSERT_TRUE(r.ok()) << r.error_detail;
    EXPECT_EQ(r.body, "ok");
  }
  EXPECT_EQ(count.load(), 3);
  EXPECT_EQ(peer.connections(), 2);

  // On a fresh connection the same failure is reported, not repeated.
  std::atomic<int> fresh_count{0};
  HttpPeer dropper([&](const Seen&) {
    ++fresh_count;
    Canned c;
    c.drop = true;
    return c;
  });
  HttpClient fresh(*net::parse_url(dropper.url(), &error), HttpClientOptions{});
  HttpResponse r = fresh.send(request, steady_clock::now() + milliseconds(2000));
  EXPECT_EQ(r.error, net::TransportError::Io) << r.error_detail;
  EXPECT_EQ(fresh_count.load(), 1);
}

TEST(HttpClient, HttpsAgainstAPlainServerIsATlsFailure) {
  HttpPeer peer([](const Seen&) { return Canned{200, "plain"}; });
  std::string error;
  auto url = net::parse_url("https://127.0.0.1:" + peer.url().substr(peer.url().rfind(':') + 1), &error);
  ASSERT_TRUE(url) << error;
  HttpClient client(*url, HttpClientOptions{});
  HttpResponse r = client.send(HttpRequest{}, steady_clock::now() + milliseconds(2000));
  EXPECT_EQ(r.error, net::TransportError::Tls) << r.error_detail;
}

// A self-signed certificate for localhost and 127.0.0.1, made fresh for the test.
struct TestCertificate {
  std::string cert_pem;
  std::string key_pem;
};

TestCertificate make_certificate(const char* names = "DNS:localhost,IP:127.0.0.1") {
  TestCertificate out;
  EVP_PKEY* key = EVP_EC_gen("P-256");
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert), 24L * 3600);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(cert, name);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  for (auto [nid, value] :
       {std::pair{NID_subject_alt_name, names}, std::pair{NID_basic_constraints, "critical,CA:TRUE"}}) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
  }
  X509_sign(cert, key, EVP_sha256());
  auto pem = [](auto write) {
    BIO* bio = BIO_new(BIO_s_mem());
    write(bio);
    char* data = nullptr;
    long size = BIO_get_mem_data(bio, &data);
    std::string text(data, static_cast<std::size_t>(size));
    BIO_free(bio);
    return text;
  };
  out.cert_pem = pem([&](BIO* bio) { PEM_write_bio_X509(bio, cert); });
  out.key_pem = pem([&](BIO* bio) { PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr); });
  X509_free(cert);
  EVP_PKEY_free(key);
  return out;
}

void https_round_trip(const TestCertificate& certificate, bool names_match) {
  const std::filesystem::path ca_file =
      std::filesystem::temp_directory_path() / ("suture-connectors-" + std::to_string(::getpid()) + ".pem");
  {
    std::ofstream out(ca_file);
    out << certificate.cert_pem;
  }
  asio::ssl::context server_tls(asio::ssl::context::tls_server);
  server_tls.use_certificate_chain(asio::buffer(certificate.cert_pem));
  server_tls.use_private_key(asio::buffer(certificate.key_pem), asio::ssl::context::pem);
  std::atomic<int> handshakes{0};
  LoopbackServer server([&](tcp::socket& socket, LoopbackServer&) {
    asio::ssl::stream<tcp::socket&> tls(socket, server_tls);
    boost::system::error_code ec;
    tls.handshake(asio::ssl::stream_base::server, ec);
    if (ec) return;
    ++handshakes;
    beast::flat_buffer buffer;
    while (true) {
      http::request<http::string_body> req;
      http::read(tls, buffer, req, ec);
      if (ec) return;
      http::response<http::string_body> res{http::status::ok, 11};
      res.body() = "secure " + std::string(req.target()) + " for " + std::string(req[http::field::host]);
      res.prepare_payload();
      http::write(tls, res, ec);
      if (ec) return;
    }
  });
  const std::string port = std::to_string(server.port());
  std::string error;
  HttpRequest request;
  request.method = "GET";
  request.target = "/x";

  HttpClientOptions trusted;
  trusted.ca_file = ca_file.string();
  if (!names_match) {
    // Trusted, but issued for another name: refused all the same.
    HttpClient mismatch(*net::parse_url("https://127.0.0.1:" + port, &error), trusted);
    HttpResponse r = mismatch.send(request, steady_clock::now() + milliseconds(3000));
    EXPECT_EQ(r.error, net::TransportError::Tls) << r.error_detail;
    std::filesystem::remove(ca_file);
    return;
  }
  HttpClient by_address(*net::parse_url("https://127.0.0.1:" + port, &error), trusted);
  for (int i = 0; i < 2; ++i) {
    HttpResponse r = by_address.send(request, steady_clock::now() + milliseconds(3000));
    ASSERT_TRUE(r.ok()) << r.error_detail;
    EXPECT_EQ(r.body, "secure /x for 127.0.0.1:" + port);
  }
  EXPECT_EQ(handshakes.load(), 1) << "the TLS connection is kept";

  HttpClient by_name(*net::parse_url("https://localhost:" + port, &error), trusted);
  HttpResponse named = by_name.send(request, steady_clock::now() + milliseconds(3000));
  ASSERT_TRUE(named.ok()) << named.error_detail;
  EXPECT_EQ(named.body, "secure /x for localhost:" + port);

  HttpClient untrusted(*net::parse_url("https://127.0.0.1:" + port, &error), HttpClientOptions{});
  HttpResponse refused = untrusted.send(request, steady_clock::now() + milliseconds(3000));
  EXPECT_EQ(refused.error, net::TransportError::Tls);
  EXPECT_NE(refused.error_detail.find("certificate"), std::string::npos) << refused.error_detail;
  std::filesystem::remove(ca_file);
}

TEST(HttpClient, HttpsRoundTripVerifiesTheServerCertificate) {
  TestCertificate certificate = make_certificate();
  ASSERT_NE(certificate.cert_pem.find("BEGIN CERTIFICATE"), std::string::npos);
  https_round_trip(certificate, true);
}

TEST(HttpClient, HttpsRefusesACertificateForAnotherName) {
  https_round_trip(make_certificate("DNS:elsewhere.example"), false);
}

TEST(HttpClient, MissingCaFileIsATlsFailure) {
  std::string error;
  HttpClientOptions options;
  options.ca_file = "/nonexistent/ca.pem";
  HttpClient client(*net::parse_url("https://127.0.0.1:1", &error), options);
  HttpResponse r = client.send(HttpRequest{}, steady_clock::now() + milliseconds(500));
  EXPECT_EQ(r.error, net::TransportError::Tls);
  EXPECT_FALSE(client.setup_error().empty());
}

TEST(Endpoints, UnusableConfigurationIsReportedNotThrown) {
  auto bad = make_connector(endpoint(EndpointKind::Http, "not a url"));
  ASSERT_NE(bad, nullptr);
  EXPECT_NE(bad->check(http_request("post", "/x", "{}")), "");
  DeliveryResult r = bad->deliver(http_request("post", "/x", "{}"));
  EXPECT_EQ(r.outcome, Outcome::Permanent);
  EXPECT_EQ(r.code, "ENDPOINT_CONFIG");
  EndpointConfig no_password = odoo_endpoint("http://127.0.0.1:1");
  no_password.password.reset();
  EXPECT_EQ(make_connector(no_password)->deliver(odoo_request("create", "res.partner", "{}")).code, "ENDPOINT_CONFIG");
  EXPECT_EQ(make_connector(endpoint(EndpointKind::Mllp, "http://127.0.0.1:1"))->deliver(DeliveryRequest{}).code,
            "ENDPOINT_CONFIG");
}

// ---------------------------------------------------------------------------------------------
// MLLP.

std::string ack_for(const std::string& message, const std::string& code, const std::string& text = "",
                    const std::string& err = "") {
  // MSH-10 of the message being acknowledged.
  std::string msh = message.substr(0, message.find('\r'));
  std::vector<std::string> fields;
  std::stringstream s(msh);
  for (std::string f; std::getline(s, f, '|');) fields.push_back(f);
  std::string ack = "MSH|^~\\&|LAB|HOSP|SUTURE|HOSP|20240101120000||ACK^A01^ACK|ACK" + fields.at(9) + "|P|2.5\r";
  ack += "MSA|" + code + "|" + fields.at(9) + (text.empty() ? "" : "|" + text) + "\r";
  if (!err.empty()) ack += err + "\r";
  return ack;
}

DeliveryRequest mllp_request(const std::string& message) {
  DeliveryRequest r;
  r.family = "mllp";
  r.operation = "send";
  r.payload = message;
  return r;
}

TEST(Mllp, AcceptErrorAndRejectAcks) {
  const std::string adt = read_file(shared("hl7v2/ADT-A01-01.hl7"));
  ASSERT_EQ(adt.substr(0, 3), "MSH");
  std::atomic<int> n{0};
  MllpPeer peer([&](const std::string& message) {
    switch (n++) {
      case 0: return ack_for(message, "AA");
      case 1:
        return ack_for(message, "AE", "", "ERR||PID^1^3|103^Table value not found^HL70357|E||||Unknown patient class");
      case 2: return ack_for(message, "AR", "Receiver busy");
      default: return ack_for(message, "CA");
    }
  });
  auto connector = make_connector(endpoint(EndpointKind::Mllp, peer.url()));
  DeliveryResult aa = connector->deliver(mllp_request(adt));
  EXPECT_EQ(aa.outcome, Outcome::Delivered) << aa.code << " " << aa.detail;
  DeliveryResult ae = connector->deliver(mllp_request(adt));
  EXPECT_EQ(ae.outcome, Outcome::Permanent);
  EXPECT_EQ(ae.code, "MLLP_AE");
  EXPECT_NE(ae.detail.find("Unknown patient class"), std::string::npos) << ae.detail;
  DeliveryResult ar = connector->deliver(mllp_request(adt));
  EXPECT_EQ(ar.outcome, Outcome::Transient);
  EXPECT_EQ(ar.code, "MLLP_AR");
  EXPECT_NE(ar.detail.find("Receiver busy"), std::string::npos);
  EXPECT_EQ(connector->deliver(mllp_request(adt)).outcome, Outcome::Delivered);

  std::vector<std::string> received = peer.received();
  ASSERT_EQ(received.size(), 4u);
  EXPECT_EQ(received[0], adt) << "the message goes out byte for byte inside the frame";
  EXPECT_EQ(peer.connections(), 1) << "one connection carried every message";
}

TEST(Mllp, NoAckBeforeTheTimeoutIsTransient) {
  MllpPeer peer([](const std::string&) { return std::string(); });
  auto connector = make_connector(endpoint(EndpointKind::Mllp, peer.url(), 300));
  auto started = steady_clock::now();
  DeliveryResult r = connector->deliver(mllp_request(read_file(shared("hl7v2/ADT-A01-01.hl7"))));
  auto took = std::chrono::duration_cast<milliseconds>(steady_clock::now() - started).count();
  EXPECT_EQ(r.outcome, Outcome::Transient);
  EXPECT_EQ(r.code, "TIMEOUT");
  EXPECT_GE(took, 250);
  EXPECT_LT(took, 1500);
}

TEST(Mllp, RefusedAndMalformed) {
  auto refused = make_connector(endpoint(EndpointKind::Mllp, "mllp://127.0.0.1:" + std::to_string(closed_port())));
  const std::string adt = read_file(shared("hl7v2/ADT-A01-01.hl7"));
  DeliveryResult r = refused->deliver(mllp_request(adt));
  EXPECT_EQ(r.outcome, Outcome::Transient);
  EXPECT_EQ(r.code, "CONNECT");
  DeliveryResult framed = refused->deliver(mllp_request("MSH|^~\\&|A|B\x1c\r"));
  EXPECT_EQ(framed.outcome, Outcome::Permanent);
  EXPECT_EQ(framed.code, "BAD_PAYLOAD");

  MllpPeer other([](const std::string& message) {
    std::string ack = ack_for(message, "AA");
    return ack.replace(ack.find("MSA|AA|") + 7, 3, "XYZ");  // acknowledges some other message
  });
  auto connector = make_connector(endpoint(EndpointKind::Mllp, other.url()));
  DeliveryResult mismatch = connector->deliver(mllp_request(adt));
  EXPECT_EQ(mismatch.outcome, Outcome::Transient);
  EXPECT_EQ(mismatch.code, "MLLP_ACK_MISMATCH");
}

}  // namespace
