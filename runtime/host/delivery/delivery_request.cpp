// delivery_request.cpp — the stored operation JSON read back (see delivery_request.h).
#include "runtime/host/delivery/delivery_request.h"

#include <tuple>

#include <nlohmann/json.hpp>

namespace suture::host {

std::variant<DeliveryRequest, std::string> request_for(const StoredDelivery& delivery) {
  const nlohmann::json operation = nlohmann::json::parse(delivery.operation, nullptr, /*allow_exceptions=*/false);
  if (operation.is_discarded()) return std::string("the stored operation is not JSON");
  if (!operation.is_object()) return std::string("the stored operation is not a JSON object");

  auto string_member = [&](const char* name, bool required, std::string& out) -> std::string {
    const auto found = operation.find(name);
    if (found == operation.end() || found->is_null()) {
      return required ? std::string("the stored operation has no \"") + name + "\"" : std::string();
    }
    if (!found->is_string()) return std::string("the stored operation's \"") + name + "\" is not a string";
    out = found->get<std::string>();
    return {};
  };

  DeliveryRequest request;
  for (auto [name, required, out] :
       {std::tuple{"family", true, &request.family}, std::tuple{"operation", true, &request.operation},
        std::tuple{"key_field", false, &request.key_field}}) {
    if (std::string error = string_member(name, required, *out); !error.empty()) return error;
  }
  if (const auto args = operation.find("args"); args != operation.end() && !args->is_null()) {
    if (!args->is_array()) return std::string("the stored operation's \"args\" is not an array");
    for (const auto& arg : *args) {
      if (!arg.is_string()) return std::string("the stored operation's \"args\" holds a value that is not a string");
      request.args.push_back(arg.get<std::string>());
    }
  }
  request.payload = delivery.payload;
  request.idempotency_key = delivery.idempotency_key;
  request.traceparent = delivery.traceparent;
  request.delivery_id = static_cast<std::uint64_t>(delivery.id);
  return request;
}

}  // namespace suture::host
