// fhir_rest.cpp — FHIR R4 REST: create (POST {base}/{Type}), update (PUT {base}/{Type}/{id}),
// conditional_create (POST with If-None-Exist built from the resource's identifier, so a
// repeated delivery finds the first one), transaction (POST {base} with a Bundle). An
// OperationOutcome on a 4xx is Permanent FHIR_<ISSUE CODE>; 408, 429, 5xx are Transient.
#include <nlohmann/json.hpp>

#include "runtime/host/connectors/connector_common.h"

namespace suture::host {

namespace {

using json = nlohmann::json;

// A string member, or "" when absent or not a string (remote JSON is never trusted to be typed).
std::string text_at(const json& object, const char* key) {
  if (!object.is_object()) return {};
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

bool valid_type(std::string_view type) {
  if (type.empty() || type.front() < 'A' || type.front() > 'Z') return false;
  for (char c : type)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) return false;
  return true;
}

// FHIR ids: [A-Za-z0-9\-\.]{1,64}
bool valid_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.'))
      return false;
  return true;
}

// A token search value: FHIR's escapes for its own separators, then URL query encoding.
std::string search_value(std::string_view raw) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (char c : raw) {
    if (c == '\\' || c == '|' || c == ',' || c == '$') {
      out += "%5C";  // the escaping backslash, itself encoded
    }
    const auto u = static_cast<unsigned char>(c);
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                       c == '.' || c == '_' || c == '~' || c == ':' || c == '/' || c == '@';
    if (plain) {
      out += c;
    } else {
      out += '%';
      out += hex[u >> 4];
      out += hex[u & 15];
    }
  }
  return out;
}

// The If-None-Exist query: identifier=system|value from the first identifier (or from the
// member `key_field` names), or key_field=value when that member is a plain value.
std::optional<std::string> if_none_exist(const json& resource, const std::string& key_field) {
  const std::string member = key_field.empty() ? "identifier" : key_field;
  auto it = resource.find(member);
  if (it == resource.end()) return std::nullopt;
  const json* source = &*it;
  if (source->is_array()) {
    if (source->empty()) return std::nullopt;
    source = &source->front();
  }
  if (source->is_object()) {
    auto value = source->find("value");
    if (value == source->end() || !value->is_string() || value->get<std::string>().empty()) return std::nullopt;
    std::string query = "identifier=";
    auto system = source->find("system");
    if (system != source->end() && system->is_string()) query += search_value(system->get<std::string>()) + "|";
    return query + search_value(value->get<std::string>());
  }
  if (source->is_string() && !source->get<std::string>().empty())
    return member + "=" + search_value(source->get<std::string>());
  if (source->is_number()) return member + "=" + source->dump();
  return std::nullopt;
}

std::string upper_code(std::string_view code) {
  std::string out = "FHIR_";
  for (char c : code) out += c == '-' ? '_' : (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  return out;
}

DeliveryResult classify_fhir_answer(const HttpResponse& response) {
  DeliveryResult by_status = classify_http_status(response);
  json body = json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (!body.is_object() || text_at(body, "resourceType") != "OperationOutcome") return by_status;
  auto issues = body.find("issue");
  if (issues == body.end() || !issues->is_array() || issues->empty() || !issues->front().is_object()) return by_status;
  const json& issue = issues->front();
  std::string code = text_at(issue, "code");
  std::string text = text_at(issue, "diagnostics");
  if (text.empty() && issue.contains("details")) text = text_at(issue["details"], "text");
  std::string detail = status_line(response) + (text.empty() ? "" : ": " + clip(text));
  if (by_status.outcome == Outcome::Transient) {
    by_status.detail = detail;
    return by_status;
  }
  if (code.empty()) code = "operation-outcome";
  // Issue types that say "try again" keep a 4xx retryable.
  const bool retry = code == "transient" || code == "lock" || code == "timeout" || code == "throttled";
  DeliveryResult r = permanent(upper_code(code), detail, response.status);
  if (retry) r.outcome = Outcome::Transient;
  return r;
}

class FhirConnector final : public ConnectorBase {
 public:
  FhirConnector(const EndpointConfig& endpoint, std::unique_ptr<HttpClient> client)
      : ConnectorBase(endpoint), client_(std::move(client)) {}

  std::string check(const DeliveryRequest& request) const override {
    const std::string& op = request.operation;
    if (!request.family.empty() && request.family != "fhir")
      return "a FHIR endpoint cannot take " + request.family + "." + op;
    if (op != "create" && op != "update" && op != "conditional_create" && op != "transaction")
      return "fhir." + op + " is not a FHIR operation (create, update, conditional_create, transaction)";
    if (op != "transaction" && !request.args.empty() && !valid_type(request.args[0]))
      return "'" + request.args[0] + "' is not a FHIR resource type";
    return {};
  }

 protected:
  DeliveryResult deliver_within(const DeliveryRequest& request, net::Deadline deadline) override {
    const std::string& op = request.operation;
    json resource = json::parse(request.payload, nullptr, /*allow_exceptions=*/false);
    if (!resource.is_object()) return permanent("BAD_PAYLOAD", "the payload is not a FHIR JSON resource");
    const std::string resource_type = text_at(resource, "resourceType");

    HttpRequest http;
    http.method = "POST";
    std::string type;
    if (op == "transaction") {
      if (resource_type != "Bundle") return permanent("BAD_PAYLOAD", "fhir.transaction needs a Bundle");
    } else {
      type = request.args.empty() ? resource_type : request.args[0];
      if (!valid_type(type)) return permanent("BAD_PAYLOAD", "the payload names no FHIR resource type");
      if (!resource_type.empty() && resource_type != type)
        return permanent("BAD_PAYLOAD", "the payload is a " + resource_type + ", the route sends a " + type);
      http.target = "/" + type;
    }
    std::string id;
    if (op == "update") {
      id = text_at(resource, "id");
      if (!valid_id(id)) return permanent("BAD_PAYLOAD", "fhir.update needs the resource's id");
      http.method = "PUT";
      http.target += "/" + id;
    }
    http.headers = {{"Content-Type", "application/fhir+json"}, {"Accept", "application/fhir+json"}};
    if (op == "conditional_create") {
      std::optional<std::string> query = if_none_exist(resource, request.key_field);
      if (!query)
        return permanent("BAD_PAYLOAD", "fhir.conditional_create needs an identifier with a value (or `key:`)");
      http.headers.emplace_back("If-None-Exist", *query);
    }
    if (endpoint().api_key) http.headers.emplace_back("Authorization", "Bearer " + endpoint().api_key->value);
    for (const auto& [name, value] : endpoint().headers) http.headers.emplace_back(name, value);
    if (!request.traceparent.empty()) http.headers.emplace_back("traceparent", request.traceparent);
    http.body = request.payload;

    HttpResponse response = client_->send(http, deadline);
    if (!response.ok()) return transport_failure(response);
    if (response.status < 200 || response.status >= 300) return classify_fhir_answer(response);

    std::string remote = response.header("Location");
    if (remote.empty()) remote = response.header("Content-Location");
    if (remote.empty()) {
      json answer = json::parse(response.body, nullptr, /*allow_exceptions=*/false);
      const std::string answer_type = text_at(answer, "resourceType");
      if (answer_type == "Bundle") {
        // A transaction-response: where its first entry went.
        const json& entries = answer["entry"];
        if (entries.is_array() && !entries.empty() && entries[0].is_object() && entries[0].contains("response"))
          remote = text_at(entries[0]["response"], "location");
      } else if (!answer_type.empty() && !text_at(answer, "id").empty()) {
        remote = answer_type + "/" + text_at(answer, "id");
      }
    }
    if (remote.empty() && !id.empty()) remote = type + "/" + id;
    return delivered(remote, response.status);
  }

 private:
  std::unique_ptr<HttpClient> client_;
};

}  // namespace

std::unique_ptr<Connector> make_fhir_connector(const EndpointConfig& endpoint) {
  std::string error;
  std::unique_ptr<HttpClient> client = make_http_client(endpoint, &error);
  if (!client) return make_unusable_connector("endpoint " + endpoint.name + ": " + error);
  return std::make_unique<FhirConnector>(endpoint, std::move(client));
}

}  // namespace suture::host
