// odoo_errors.cpp — the Odoo exception table and the readers of JSON-RPC envelopes and JSON-2
// error bodies that apply it.
// Pipeline position: used by odoo_jsonrpc.cpp and odoo_json2.cpp; tested on captured envelopes.
#include "runtime/host/connectors/odoo_errors.h"

#include <array>
#include <utility>

#include "runtime/host/connectors/connector_common.h"

namespace suture::host {

namespace {

using Row = std::pair<std::string_view, std::string_view>;  // exception name, code

// Fully qualified names, as Odoo reports them (module + "." + class).
constexpr std::array kPermanent{
    Row{"odoo.exceptions.ValidationError", "ODOO_VALIDATION"},
    Row{"odoo.exceptions.UserError", "ODOO_USER_ERROR"},
    Row{"odoo.exceptions.RedirectWarning", "ODOO_USER_ERROR"},
    Row{"odoo.exceptions.MissingError", "ODOO_MISSING_RECORD"},
    Row{"odoo.exceptions.AccessError", "ODOO_ACCESS"},
    Row{"odoo.exceptions.AccessDenied", "ODOO_ACCESS_DENIED"},
    Row{"builtins.ValueError", "ODOO_VALUE_ERROR"},
    Row{"builtins.TypeError", "ODOO_TYPE_ERROR"},
    Row{"builtins.KeyError", "ODOO_KEY_ERROR"},
    Row{"builtins.AttributeError", "ODOO_UNKNOWN_METHOD"},
    Row{"werkzeug.exceptions.Unauthorized", "ODOO_ACCESS_DENIED"},
    Row{"werkzeug.exceptions.Forbidden", "ODOO_ACCESS"},
    Row{"werkzeug.exceptions.NotFound", "ODOO_NOT_FOUND"},
    Row{"werkzeug.exceptions.BadRequest", "ODOO_BAD_REQUEST"},
    Row{"werkzeug.exceptions.UnprocessableEntity", "ODOO_BAD_REQUEST"},
};

constexpr std::array kTransient{
    Row{"odoo.exceptions.ConcurrencyError", "ODOO_CONCURRENCY"},
    Row{"werkzeug.exceptions.TooManyRequests", "ODOO_RATE_LIMITED"},
    Row{"werkzeug.exceptions.ServiceUnavailable", "ODOO_UNAVAILABLE"},
    Row{"werkzeug.exceptions.BadGateway", "ODOO_UNAVAILABLE"},
    Row{"werkzeug.exceptions.GatewayTimeout", "ODOO_UNAVAILABLE"},
};

// PostgreSQL errors surface under the driver's module (psycopg2.errors.SerializationFailure,
// psycopg2.extensions.TransactionRollbackError, psycopg2.OperationalError …): the class name
// decides, whatever module path precedes it.
constexpr std::array kDatabase{
    Row{"SerializationFailure", "ODOO_CONCURRENCY"},    Row{"TransactionRollbackError", "ODOO_CONCURRENCY"},
    Row{"DeadlockDetected", "ODOO_CONCURRENCY"},        Row{"LockNotAvailable", "ODOO_CONCURRENCY"},
    Row{"QueryCanceled", "ODOO_DATABASE_UNAVAILABLE"},  Row{"OperationalError", "ODOO_DATABASE_UNAVAILABLE"},
    Row{"InterfaceError", "ODOO_DATABASE_UNAVAILABLE"}, Row{"PoolError", "ODOO_DATABASE_UNAVAILABLE"},
    Row{"AdminShutdown", "ODOO_DATABASE_UNAVAILABLE"},  Row{"CannotConnectNow", "ODOO_DATABASE_UNAVAILABLE"},
};

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

std::string string_member(const nlohmann::json& object, const char* key) {
  if (!object.is_object()) return {};
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

}  // namespace

std::optional<OdooFault> classify_odoo_exception(std::string_view name, std::string_view message) {
  for (const Row& row : kPermanent) {
    if (name != row.first) continue;
    // Odoo 17 answers an unknown model with a UserError "Object <model> doesn't exist".
    if (row.second == "ODOO_USER_ERROR" && starts_with(message, "Object ") &&
        message.find(" doesn't exist") != std::string_view::npos)
      return OdooFault{Outcome::Permanent, "ODOO_UNKNOWN_MODEL"};
    return OdooFault{Outcome::Permanent, std::string(row.second)};
  }
  for (const Row& row : kTransient)
    if (name == row.first) return OdooFault{Outcome::Transient, std::string(row.second)};
  if (starts_with(name, "psycopg2.") || starts_with(name, "psycopg.")) {
    std::string_view leaf = name.substr(name.rfind('.') + 1);
    for (const Row& row : kDatabase)
      if (leaf == row.first) return OdooFault{Outcome::Transient, std::string(row.second)};
    // Integrity and data errors: the same values fail the same way again.
    return OdooFault{Outcome::Permanent, "ODOO_DATABASE_ERROR"};
  }
  return std::nullopt;
}

DeliveryResult classify_jsonrpc_error(const nlohmann::json& error) {
  const nlohmann::json empty = nlohmann::json::object();
  const nlohmann::json& data = error.is_object() && error.contains("data") ? error["data"] : empty;
  std::string name = string_member(data, "name");
  std::string message = string_member(data, "message");
  if (message.empty()) message = string_member(error, "message");
  if (message.empty()) message = "Odoo reported an error";
  std::optional<OdooFault> fault = classify_odoo_exception(name, message);
  if (!fault) fault = OdooFault{Outcome::Permanent, "ODOO_SERVER_ERROR"};
  DeliveryResult r = permanent(fault->code, clip(name.empty() ? message : name + ": " + message), 200);
  r.outcome = fault->outcome;
  return r;
}

JsonRpcReply read_jsonrpc_reply(std::string_view body) {
  JsonRpcReply reply;
  nlohmann::json envelope = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!envelope.is_object()) {
    reply.failure = transient("ODOO_BAD_RESPONSE", "the answer is not a JSON-RPC envelope", 200);
    return reply;
  }
  if (auto it = envelope.find("error"); it != envelope.end() && !it->is_null()) {
    reply.failure = classify_jsonrpc_error(*it);
    return reply;
  }
  if (auto it = envelope.find("result"); it != envelope.end()) {
    reply.ok = true;
    reply.result = std::move(*it);
    return reply;
  }
  reply.failure = transient("ODOO_BAD_RESPONSE", "the JSON-RPC answer has neither result nor error", 200);
  return reply;
}

std::variant<std::int64_t, DeliveryResult> login_uid(const nlohmann::json& result) {
  if (result.is_number_integer() && result.get<std::int64_t>() > 0) return result.get<std::int64_t>();
  if (result.is_boolean() && !result.get<bool>())
    return permanent("ODOO_ACCESS_DENIED", "Odoo refused the login (wrong database, login or password)", 200);
  return transient("ODOO_BAD_RESPONSE", "login answered something other than a user id", 200);
}

DeliveryResult classify_json2_error(const HttpResponse& response) {
  DeliveryResult by_status = classify_http_status(response);
  nlohmann::json body = nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  std::string name = string_member(body, "name");
  std::string message = string_member(body, "message");
  std::optional<OdooFault> fault = name.empty() ? std::nullopt : classify_odoo_exception(name, message);
  std::string detail = name.empty() ? status_line(response) : clip(name + ": " + message);
  if (!fault) {
    by_status.code = "ODOO_" + by_status.code;
    by_status.detail = detail;
    return by_status;
  }
  DeliveryResult r = permanent(fault->code, detail, response.status);
  r.outcome = fault->outcome;
  return r;
}

std::string first_record_id(const nlohmann::json& result) {
  if (result.is_number_integer()) return std::to_string(result.get<std::int64_t>());
  if (result.is_array() && !result.empty() && result.front().is_number_integer())
    return std::to_string(result.front().get<std::int64_t>());
  return {};
}

}  // namespace suture::host
