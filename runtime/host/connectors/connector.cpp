// connector.cpp — make_connector: the endpoint's kind picks the connector.
// Pipeline position: the one entry point delivery/ uses to build connectors.
#include "runtime/host/connectors/connector.h"

#include <exception>

#include "runtime/host/connectors/connector_common.h"

namespace suture::host {

std::unique_ptr<Connector> make_connector(const EndpointConfig& endpoint) {
  try {
    switch (endpoint.kind) {
      case EndpointKind::OdooJsonRpc: return make_odoo_jsonrpc_connector(endpoint);
      case EndpointKind::OdooJson2: return make_odoo_json2_connector(endpoint);
      case EndpointKind::Fhir: return make_fhir_connector(endpoint);
      case EndpointKind::Http: return make_http_webhook_connector(endpoint);
      case EndpointKind::Mllp: return make_mllp_connector(endpoint);
    }
    return make_unusable_connector("unknown endpoint kind");
  } catch (const std::exception& e) {
    return make_unusable_connector(std::string("cannot build the connector: ") + e.what());
  }
}

}  // namespace suture::host
