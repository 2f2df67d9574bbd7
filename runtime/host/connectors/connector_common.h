// connector_common.h — what the connectors share above the transport: the base class that times
// every delivery and turns any escape into a result, the outcome constructors, the HTTP status
// table (2xx delivered; 408, 429, 5xx transient; others permanent) and the factories
// make_connector picks from. Pipeline position: inside connectors/ only.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "runtime/host/connectors/connector.h"
#include "runtime/host/connectors/http_client.h"
#include "runtime/host/connectors/net.h"

namespace suture::host {

// deliver() = check(), then deliver_within() with the delivery's deadline (now + timeout_ms),
// with elapsed_ms filled in and every exception caught (Transient INTERNAL).
class ConnectorBase : public Connector {
 public:
  explicit ConnectorBase(const EndpointConfig& endpoint) : endpoint_(endpoint) {}
  DeliveryResult deliver(const DeliveryRequest& request) final;

 protected:
  virtual DeliveryResult deliver_within(const DeliveryRequest& request, net::Deadline deadline) = 0;
  const EndpointConfig& endpoint() const { return endpoint_; }

 private:
  EndpointConfig endpoint_;
};

DeliveryResult delivered(std::string remote_id = {}, std::uint32_t http_status = 0);
DeliveryResult transient(std::string code, std::string detail, std::uint32_t http_status = 0);
DeliveryResult permanent(std::string code, std::string detail, std::uint32_t http_status = 0);

// A transport failure (no answer): Transient with CONNECT, TIMEOUT, TLS or IO.
DeliveryResult transport_failure(const HttpResponse& response);

// An answer by its status alone: Delivered for 2xx, else HTTP_<status>, Transient for 408, 429
// and 5xx, Permanent otherwise. The detail is the status line.
DeliveryResult classify_http_status(const HttpResponse& response);

// "HTTP 503 Service Unavailable"
std::string status_line(const HttpResponse& response);

// Remote text made fit for a detail: one line, at most `max` bytes (cut on a UTF-8 boundary).
std::string clip(std::string_view text, std::size_t max = 300);

// The HTTP client an endpoint's URL and timeouts call for, or nullptr with the reason.
std::unique_ptr<HttpClient> make_http_client(const EndpointConfig& endpoint, std::string* error);

std::unique_ptr<Connector> make_odoo_jsonrpc_connector(const EndpointConfig& endpoint);
std::unique_ptr<Connector> make_odoo_json2_connector(const EndpointConfig& endpoint);
std::unique_ptr<Connector> make_fhir_connector(const EndpointConfig& endpoint);
std::unique_ptr<Connector> make_http_webhook_connector(const EndpointConfig& endpoint);
std::unique_ptr<Connector> make_mllp_connector(const EndpointConfig& endpoint);
// An endpoint that cannot work as configured: every delivery is Permanent ENDPOINT_CONFIG.
std::unique_ptr<Connector> make_unusable_connector(std::string why);

}  // namespace suture::host
