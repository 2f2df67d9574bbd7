// odoo_errors.h — how an Odoo failure is classified: by the Python exception's qualified name
// (JSON-RPC: error.data.name in an HTTP 200 envelope; JSON-2: "name" in a 4xx/5xx body). Data
// and permission problems are Permanent, database contention and unavailability Transient.
// The table is in README.md; the captured envelopes in shared/data/odoo17 test it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include <nlohmann/json.hpp>

#include "runtime/host/connectors/connector.h"
#include "runtime/host/connectors/http_client.h"

namespace suture::host {

struct OdooFault {
  Outcome outcome = Outcome::Permanent;
  std::string code;  // ODOO_VALIDATION, ODOO_CONCURRENCY, …
};

// The class of a named exception ("odoo.exceptions.ValidationError"), or nullopt when the name
// is not one the table knows (the caller decides: JSON-RPC Permanent, JSON-2 by status).
// `message` refines a few generic classes (UserError "Object x doesn't exist" → ODOO_UNKNOWN_MODEL).
std::optional<OdooFault> classify_odoo_exception(std::string_view name, std::string_view message);

// A JSON-RPC envelope's `error` member: {"code":200,"message":"Odoo Server Error","data":{…}}.
// Unknown exception names are Permanent ODOO_SERVER_ERROR. The detail is Odoo's message.
DeliveryResult classify_jsonrpc_error(const nlohmann::json& error);

// A JSON-RPC answer body read: either `result` (ok) or the failure it means. A body that is not
// a JSON-RPC envelope is Transient ODOO_BAD_RESPONSE (a proxy's page, a truncated answer).
struct JsonRpcReply {
  bool ok = false;
  nlohmann::json result;
  DeliveryResult failure;
};
JsonRpcReply read_jsonrpc_reply(std::string_view body);

// common.login's result: the uid, or the failure (false: Permanent ODOO_ACCESS_DENIED).
std::variant<std::int64_t, DeliveryResult> login_uid(const nlohmann::json& result);

// A JSON-2 answer whose status is not 200: by the body's exception name when the table knows
// it, else by status (408, 429, 5xx Transient; other 4xx Permanent), code ODOO_HTTP_<status>.
DeliveryResult classify_json2_error(const HttpResponse& response);

// The record id an Odoo create/search returned (7, [7] or [7, 8] → "7"), or "" when none.
std::string first_record_id(const nlohmann::json& result);

}  // namespace suture::host
