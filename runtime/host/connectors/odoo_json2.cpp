// odoo_json2.cpp — Odoo 19's JSON-2 API: POST {url}/json/2/{model}/{method} with
// `Authorization: bearer <api key>`, `X-Odoo-Database` when a database is configured, and the
// method's arguments named in a JSON object body. 200 carries the method's return value; errors
// are 4xx/5xx with {"name": "<exception>", "message": …}, classified by odoo_errors.h.
#include "runtime/host/connectors/odoo_connector.h"
#include "runtime/host/connectors/odoo_errors.h"

namespace suture::host {

namespace {

using json = nlohmann::json;

// Model and method go into the URL path: only the characters Odoo names are made of.
bool valid_name(const std::string& name) {
  if (name.empty()) return false;
  for (char c : name)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_'))
      return false;
  return true;
}

class OdooJson2Connector final : public OdooConnector {
 public:
  OdooJson2Connector(const EndpointConfig& endpoint, std::unique_ptr<HttpClient> client)
      : OdooConnector(endpoint), client_(std::move(client)) {}

  std::string check(const DeliveryRequest& request) const override {
    std::string problem = OdooConnector::check(request);
    for (std::size_t i = 0; problem.empty() && i < request.args.size() && i < 2; ++i)
      if (!valid_name(request.args[i])) problem = "'" + request.args[i] + "' is not an Odoo model or method name";
    return problem;
  }

 protected:
  OdooStep search(const OdooCall& call, const std::string& model, const json& domain, int limit) override {
    return post(call, model, "search", json{{"domain", domain}, {"limit", limit}});
  }
  OdooStep create(const OdooCall& call, const std::string& model, const json& vals) override {
    return post(call, model, "create", json{{"vals_list", json::array({vals})}});
  }
  OdooStep write(const OdooCall& call, const std::string& model, const json& ids, const json& vals) override {
    return post(call, model, "write", json{{"ids", ids}, {"vals", vals}});
  }
  OdooStep unlink(const OdooCall& call, const std::string& model, const json& ids) override {
    return post(call, model, "unlink", json{{"ids", ids}});
  }
  OdooStep call_method(const OdooCall& call, const std::string& model, const std::string& method,
                       const json& payload) override {
    if (!payload.is_object())
      return permanent("BAD_PAYLOAD", "JSON-2 takes named arguments: the payload of odoo.call must be a JSON object");
    return post(call, model, method, payload);
  }

 private:
  OdooStep post(const OdooCall& call, const std::string& model, const std::string& method, const json& body);

  std::unique_ptr<HttpClient> client_;
};

OdooStep OdooJson2Connector::post(const OdooCall& call, const std::string& model, const std::string& method,
                                  const json& body) {
  HttpRequest request;
  request.method = "POST";
  request.target = "/json/2/" + model + "/" + method;
  request.headers = {{"Content-Type", "application/json; charset=utf-8"},
                     {"Accept", "application/json"},
                     {"Authorization", "bearer " + endpoint().api_key->value}};
  if (!endpoint().database.empty()) request.headers.emplace_back("X-Odoo-Database", endpoint().database);
  if (!call.traceparent.empty()) request.headers.emplace_back("traceparent", call.traceparent);
  request.body = dump_json(body);
  HttpResponse response = client_->send(request, call.deadline);
  if (!response.ok()) return transport_failure(response);
  if (response.status < 200 || response.status >= 300) return classify_json2_error(response);
  json result = json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (result.is_discarded()) return transient("ODOO_BAD_RESPONSE", "the JSON-2 answer is not JSON", response.status);
  return result;
}

}  // namespace

std::unique_ptr<Connector> make_odoo_json2_connector(const EndpointConfig& endpoint) {
  if (!endpoint.api_key || endpoint.api_key->value.empty())
    return make_unusable_connector("endpoint " + endpoint.name + ": Odoo JSON-2 needs an api_key");
  std::string error;
  std::unique_ptr<HttpClient> client = make_http_client(endpoint, &error);
  if (!client) return make_unusable_connector("endpoint " + endpoint.name + ": " + error);
  return std::make_unique<OdooJson2Connector>(endpoint, std::move(client));
}

}  // namespace suture::host
