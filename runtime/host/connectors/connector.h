// connector.h — what delivery asks of an endpoint and what it hears back. One Connector per
// configured endpoint; the dispatcher calls deliver() from its worker threads (a connector is
// called by at most `concurrency` threads at once and must be safe for that).
// Every outcome is classified: Delivered, Transient (retry later: timeouts, 5xx, 429, refused
// connections, Odoo serialisation failures) or Permanent (dead letter now: validation, access,
// missing record, 4xx, FHIR OperationOutcome errors, MLLP AE).
// Pipeline position: delivery/ calls it; config/ says what to build.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "runtime/host/config/config.h"

namespace suture::host {

// One delivery, as a route's `deliver family.operation(args…, key: field)` and the stored
// payload describe it.
struct DeliveryRequest {
  std::string family;             // "odoo", "fhir", "http", "mllp"
  std::string operation;          // odoo: create write upsert unlink call; fhir: create update
                                  // conditional_create transaction; http: post put; mllp: send
  std::vector<std::string> args;  // positional string arguments ("res.partner"; "/path"; "Patient")
  std::string key_field;          // `key: ref` — the field of the payload that identifies the record ("" = none)
  std::string payload;            // the bytes to send: Odoo vals JSON object, FHIR JSON, any JSON, ER7
  std::string idempotency_key;    // stable for this message and destination
  std::string traceparent;        // W3C trace context to pass on ("" = none)
  std::uint64_t delivery_id = 0;  // for logs
};

enum class Outcome { Delivered, Transient, Permanent };

struct DeliveryResult {
  Outcome outcome = Outcome::Transient;
  std::string code;       // stable: ODOO_VALIDATION, ODOO_ACCESS, ODOO_MISSING_RECORD, HTTP_503, TIMEOUT, CONNECT,
                          // FHIR_OPERATION_OUTCOME, MLLP_AE, …
  std::string detail;     // for a person (no PHI: the remote's message, status line)
  std::string remote_id;  // the id the remote gave (Odoo record id, FHIR Location), when known
  std::uint32_t http_status = 0;
  std::uint32_t elapsed_ms = 0;
};

class Connector {
 public:
  virtual ~Connector() = default;
  // Blocks the calling thread for at most the endpoint's timeout (plus connect). Never throws.
  virtual DeliveryResult deliver(const DeliveryRequest& request) = 0;
  // A cheap check that the operation is one this connector knows ("" when fine, else why).
  virtual std::string check(const DeliveryRequest& request) const = 0;
};

// Builds the connector for an endpoint (kind decides which). Never null.
std::unique_ptr<Connector> make_connector(const EndpointConfig& endpoint);

}  // namespace suture::host
