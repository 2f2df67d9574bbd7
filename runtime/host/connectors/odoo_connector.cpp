// odoo_connector.cpp — the Odoo operations on top of the API primitives: find by key, then
// write, create or unlink; the record id becomes remote_id.
// Pipeline position: base of the JSON-RPC and JSON-2 connectors.
#include "runtime/host/connectors/odoo_connector.h"

#include "runtime/host/connectors/odoo_errors.h"

namespace suture::host {

namespace {

bool is_failure(const OdooStep& step) {
  return std::holds_alternative<DeliveryResult>(step);
}
DeliveryResult failure(OdooStep& step) {
  return std::move(std::get<DeliveryResult>(step));
}

bool known_operation(const std::string& op) {
  return op == "create" || op == "write" || op == "upsert" || op == "unlink" || op == "call";
}

}  // namespace

std::string dump_json(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string OdooConnector::check(const DeliveryRequest& request) const {
  if (!request.family.empty() && request.family != "odoo")
    return "an Odoo endpoint cannot take " + request.family + "." + request.operation;
  if (!known_operation(request.operation))
    return "odoo." + request.operation + " is not an Odoo operation (create, write, upsert, unlink, call)";
  if (request.args.empty() || request.args[0].empty()) return "odoo." + request.operation + " needs the model";
  if (request.operation == "call" && (request.args.size() < 2 || request.args[1].empty()))
    return "odoo.call needs the model and the method";
  if ((request.operation == "write" || request.operation == "upsert" || request.operation == "unlink") &&
      request.key_field.empty())
    return "odoo." + request.operation + " needs `key:` naming the field that identifies the record";
  return {};
}

DeliveryResult OdooConnector::deliver_within(const DeliveryRequest& request, net::Deadline deadline) {
  const OdooCall call{deadline, request.traceparent};
  const std::string& model = request.args[0];
  const std::string& op = request.operation;

  nlohmann::json payload = nlohmann::json::parse(request.payload, nullptr, /*allow_exceptions=*/false);
  if (payload.is_discarded()) return permanent("BAD_PAYLOAD", "the payload is not JSON");
  if (op == "call") {
    OdooStep step = call_method(call, model, request.args[1], payload);
    if (is_failure(step)) return failure(step);
    return delivered(first_record_id(std::get<nlohmann::json>(step)));
  }
  if (!payload.is_object()) return permanent("BAD_PAYLOAD", "odoo." + op + " needs a JSON object of field values");

  auto create_record = [&]() -> DeliveryResult {
    OdooStep step = create(call, model, payload);
    if (is_failure(step)) return failure(step);
    std::string id = first_record_id(std::get<nlohmann::json>(step));
    if (id.empty()) return transient("ODOO_BAD_RESPONSE", "create answered no record id");
    return delivered(id);
  };
  if (op == "create") return create_record();

  // write, upsert, unlink: find the record by its key. The key's value is never put in a detail.
  const std::string& key = request.key_field;
  auto value = payload.find(key);
  if (value == payload.end() || !(value->is_string() || value->is_number() || value->is_boolean()))
    return permanent("ODOO_MISSING_KEY", "the payload has no scalar value for the key field '" + key + "'");
  nlohmann::json domain = nlohmann::json::array({nlohmann::json::array({key, "=", *value})});
  OdooStep found = search(call, model, domain, 2);
  if (is_failure(found)) return failure(found);
  const nlohmann::json& ids = std::get<nlohmann::json>(found);
  if (!ids.is_array()) return transient("ODOO_BAD_RESPONSE", "search answered something other than ids");
  if (ids.size() > 1)
    return permanent("ODOO_AMBIGUOUS_KEY", "more than one " + model + " record matches on '" + key + "'");

  if (ids.empty()) {
    if (op == "upsert") return create_record();
    if (op == "unlink") return delivered();  // already gone: a repeated unlink is done
    return permanent("ODOO_MISSING_RECORD", "no " + model + " record matches on '" + key + "'");
  }
  std::string id = first_record_id(ids);
  OdooStep done = op == "unlink" ? unlink(call, model, ids) : write(call, model, ids, payload);
  if (is_failure(done)) return failure(done);
  return delivered(id);
}

}  // namespace suture::host
