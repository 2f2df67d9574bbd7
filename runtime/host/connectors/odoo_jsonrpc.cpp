// odoo_jsonrpc.cpp — Odoo's external API over POST /jsonrpc: common.login once for the uid
// (kept, and fetched again once when Odoo says access is denied), then object.execute_kw with
// (db, uid, password, model, method, args, kwargs). Errors come back as HTTP 200 with an
// `error` member and are classified by odoo_errors.h.
#include <atomic>
#include <mutex>
#include <optional>

#include "runtime/host/connectors/odoo_connector.h"
#include "runtime/host/connectors/odoo_errors.h"

namespace suture::host {

namespace {

using json = nlohmann::json;

class OdooJsonRpcConnector final : public OdooConnector {
 public:
  OdooJsonRpcConnector(const EndpointConfig& endpoint, std::unique_ptr<HttpClient> client)
      : OdooConnector(endpoint), client_(std::move(client)) {}

 protected:
  OdooStep search(const OdooCall& call, const std::string& model, const json& domain, int limit) override {
    return execute_kw(call, model, "search", json::array({domain}), json{{"limit", limit}});
  }
  OdooStep create(const OdooCall& call, const std::string& model, const json& vals) override {
    // A list of vals: Odoo answers a list of ids.
    return execute_kw(call, model, "create", json::array({json::array({vals})}), json::object());
  }
  OdooStep write(const OdooCall& call, const std::string& model, const json& ids, const json& vals) override {
    return execute_kw(call, model, "write", json::array({ids, vals}), json::object());
  }
  OdooStep unlink(const OdooCall& call, const std::string& model, const json& ids) override {
    return execute_kw(call, model, "unlink", json::array({ids}), json::object());
  }
  OdooStep call_method(const OdooCall& call, const std::string& model, const std::string& method,
                       const json& payload) override {
    json args = payload.is_array() ? payload : json::array({payload});
    return execute_kw(call, model, method, args, json::object());
  }

 private:
  OdooStep rpc(const OdooCall& call, const char* service, const char* method, json args);
  std::variant<std::int64_t, DeliveryResult> login(const OdooCall& call);
  OdooStep execute_kw(const OdooCall& call, const std::string& model, const std::string& method, const json& args,
                      const json& kwargs);

  const std::string& password() const {
    static const std::string none;
    return endpoint().password ? endpoint().password->value : none;
  }

  std::unique_ptr<HttpClient> client_;
  std::atomic<std::uint64_t> next_id_{1};
  std::mutex mu_;
  std::optional<std::int64_t> uid_;
};

OdooStep OdooJsonRpcConnector::rpc(const OdooCall& call, const char* service, const char* method, json args) {
  json envelope = {{"jsonrpc", "2.0"},
                   {"method", "call"},
                   {"params", {{"service", service}, {"method", method}, {"args", std::move(args)}}},
                   {"id", next_id_.fetch_add(1)}};
  HttpRequest request;
  request.method = "POST";
  request.target = "/jsonrpc";
  request.headers = {{"Content-Type", "application/json"}, {"Accept", "application/json"}};
  if (!call.traceparent.empty()) request.headers.emplace_back("traceparent", call.traceparent);
  request.body = dump_json(envelope);
  HttpResponse response = client_->send(request, call.deadline);
  if (!response.ok()) return transport_failure(response);
  if (response.status < 200 || response.status >= 300) {
    DeliveryResult r = classify_http_status(response);
    // Behind a proxy, a JSON-RPC error may still come with a status; the envelope says more.
    JsonRpcReply reply = read_jsonrpc_reply(response.body);
    if (!reply.ok && reply.failure.code != "ODOO_BAD_RESPONSE" && r.outcome == Outcome::Permanent) r = reply.failure;
    r.http_status = response.status;
    return r;
  }
  JsonRpcReply reply = read_jsonrpc_reply(response.body);
  if (!reply.ok) return reply.failure;
  return std::move(reply.result);
}

std::variant<std::int64_t, DeliveryResult> OdooJsonRpcConnector::login(const OdooCall& call) {
  OdooStep step = rpc(call, "common", "login", json::array({endpoint().database, endpoint().login, password()}));
  if (auto* failed = std::get_if<DeliveryResult>(&step)) return std::move(*failed);
  auto uid = login_uid(std::get<json>(step));
  if (auto* id = std::get_if<std::int64_t>(&uid)) {
    std::lock_guard<std::mutex> lock(mu_);
    uid_ = *id;
  }
  return uid;
}

OdooStep OdooJsonRpcConnector::execute_kw(const OdooCall& call, const std::string& model, const std::string& method,
                                          const json& args, const json& kwargs) {
  std::int64_t uid = 0;  // 0: not logged in (Odoo uids start at 1)
  {
    std::lock_guard<std::mutex> lock(mu_);
    uid = uid_.value_or(0);
  }
  const bool cached = uid != 0;
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (uid == 0) {
      auto fresh = login(call);
      if (auto* failed = std::get_if<DeliveryResult>(&fresh)) return std::move(*failed);
      uid = std::get<std::int64_t>(fresh);
    }
    OdooStep step = rpc(call, "object", "execute_kw",
                        json::array({endpoint().database, uid, password(), model, method, args, kwargs}));
    auto* failed = std::get_if<DeliveryResult>(&step);
    // A kept uid may be stale (user replaced, password rotated): log in again once.
    const bool access_problem =
        failed && (failed->code == "ODOO_ACCESS_DENIED" || failed->code == "ODOO_ACCESS") && cached && attempt == 0;
    if (!access_problem) return step;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (uid_ == uid) uid_.reset();
    }
    uid = 0;
  }
  return transient("INTERNAL", "unreachable");
}

}  // namespace

std::unique_ptr<Connector> make_odoo_jsonrpc_connector(const EndpointConfig& endpoint) {
  if (endpoint.database.empty() || endpoint.login.empty() || !endpoint.password)
    return make_unusable_connector("endpoint " + endpoint.name + ": Odoo JSON-RPC needs database, login and password");
  std::string error;
  std::unique_ptr<HttpClient> client = make_http_client(endpoint, &error);
  if (!client) return make_unusable_connector("endpoint " + endpoint.name + ": " + error);
  return std::make_unique<OdooJsonRpcConnector>(endpoint, std::move(client));
}

}  // namespace suture::host
