// http_webhook.cpp — http.post / http.put: the payload as application/json to {url}{args[0]},
// with the endpoint's headers, `Authorization: Bearer` when an api_key is set, and the
// delivery's Idempotency-Key so the receiver can drop repeats. 2xx delivered; 408, 429, 5xx
// and transport failures transient; any other status permanent.
#include "runtime/host/connectors/connector_common.h"

namespace suture::host {

namespace {

class HttpWebhookConnector final : public ConnectorBase {
 public:
  HttpWebhookConnector(const EndpointConfig& endpoint, std::unique_ptr<HttpClient> client)
      : ConnectorBase(endpoint), client_(std::move(client)) {}

  std::string check(const DeliveryRequest& request) const override {
    if (!request.family.empty() && request.family != "http")
      return "an HTTP endpoint cannot take " + request.family + "." + request.operation;
    if (request.operation != "post" && request.operation != "put")
      return "http." + request.operation + " is not an HTTP operation (post, put)";
    if (!request.args.empty()) {
      const std::string& path = request.args[0];
      if (!path.empty() && path.front() != '/') return "the path '" + path + "' must start with '/'";
      for (char c : path)
        if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return "the path must not contain spaces or controls";
    }
    return {};
  }

 protected:
  DeliveryResult deliver_within(const DeliveryRequest& request, net::Deadline deadline) override {
    HttpRequest http;
    http.method = request.operation == "put" ? "PUT" : "POST";
    http.target = request.args.empty() ? std::string() : request.args[0];
    http.headers = {{"Content-Type", "application/json"}};
    for (const auto& [name, value] : endpoint().headers) http.headers.emplace_back(name, value);
    if (endpoint().api_key) http.headers.emplace_back("Authorization", "Bearer " + endpoint().api_key->value);
    if (!request.idempotency_key.empty()) http.headers.emplace_back("Idempotency-Key", request.idempotency_key);
    if (!request.traceparent.empty()) http.headers.emplace_back("traceparent", request.traceparent);
    http.body = request.payload;

    HttpResponse response = client_->send(http, deadline);
    if (!response.ok()) return transport_failure(response);
    DeliveryResult result = classify_http_status(response);
    if (result.outcome == Outcome::Delivered) result.remote_id = response.header("Location");
    return result;
  }

 private:
  std::unique_ptr<HttpClient> client_;
};

}  // namespace

std::unique_ptr<Connector> make_http_webhook_connector(const EndpointConfig& endpoint) {
  std::string error;
  std::unique_ptr<HttpClient> client = make_http_client(endpoint, &error);
  if (!client) return make_unusable_connector("endpoint " + endpoint.name + ": " + error);
  return std::make_unique<HttpWebhookConnector>(endpoint, std::move(client));
}

}  // namespace suture::host
