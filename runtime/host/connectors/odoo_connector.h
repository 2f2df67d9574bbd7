// odoo_connector.h — the Odoo operations (create, write, upsert, unlink, call) built once on
// the five primitives both Odoo APIs offer; odoo_jsonrpc.cpp (Odoo ≤ 18, /jsonrpc) and
// odoo_json2.cpp (Odoo 19, /json/2) each supply the primitives. write, upsert and unlink find
// the record by its key first, so repeating a delivery after a lost answer changes nothing more.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "runtime/host/connectors/connector_common.h"

namespace suture::host {

// A primitive's answer: Odoo's result, or the classified failure.
using OdooStep = std::variant<nlohmann::json, DeliveryResult>;

struct OdooCall {
  net::Deadline deadline;
  std::string traceparent;
};

class OdooConnector : public ConnectorBase {
 public:
  using ConnectorBase::ConnectorBase;
  std::string check(const DeliveryRequest& request) const override;

 protected:
  DeliveryResult deliver_within(const DeliveryRequest& request, net::Deadline deadline) override;

  // At most `limit` ids of records matching `domain`.
  virtual OdooStep search(const OdooCall& call, const std::string& model, const nlohmann::json& domain, int limit) = 0;
  virtual OdooStep create(const OdooCall& call, const std::string& model, const nlohmann::json& vals) = 0;
  virtual OdooStep write(const OdooCall& call, const std::string& model, const nlohmann::json& ids,
                         const nlohmann::json& vals) = 0;
  virtual OdooStep unlink(const OdooCall& call, const std::string& model, const nlohmann::json& ids) = 0;
  // Any other model method, with the payload as its arguments.
  virtual OdooStep call_method(const OdooCall& call, const std::string& model, const std::string& method,
                               const nlohmann::json& payload) = 0;
};

// JSON for a request body; never throws on odd bytes (invalid UTF-8 is replaced).
std::string dump_json(const nlohmann::json& value);

}  // namespace suture::host
