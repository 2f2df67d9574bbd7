// pipeline.cpp — route, authorize, map, and the deliveries to store (see pipeline.h).
#include "runtime/host/pipeline/pipeline.h"

#include <ctime>

#include "runtime/codecs/json/writer.h"
#include "runtime/host/pipeline/message_facts.h"
#include "runtime/host/pipeline/route_match.h"

namespace suture::host {
namespace {

Processed rejected(const std::string& route, const runtime::Rejection& r) {
  Processed p;
  p.kind = Processed::Kind::Rejected;
  p.route = route;
  p.code = r.code;
  p.path = r.path.empty() ? "$" : r.path;
  p.error = r.message;
  return p;
}

std::string iso_utc(std::int64_t ms) {
  std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[64];
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
  return text;
}

// The delivery's request, as the dispatcher reads it back.
std::string operation_json(const pack::RouteDelivery& d) {
  std::string out = "{\"family\":";
  runtime::json::write_string(out, d.family);
  out += ",\"operation\":";
  runtime::json::write_string(out, d.operation);
  out += ",\"args\":[";
  for (std::size_t i = 0; i < d.args.size(); ++i) {
    if (i) out += ',';
    runtime::json::write_string(out, d.args[i]);
  }
  out += "],\"key_field\":";
  runtime::json::write_string(out, d.key_field);
  out += '}';
  return out;
}

}  // namespace

std::string context_json(const Inbound& in) {
  std::string out = "{\"received_at\":";
  runtime::json::write_string(out, iso_utc(in.received_at_ms));
  out += ",\"listener\":";
  runtime::json::write_string(out, in.listener ? in.listener->name : "");
  if (in.traceparent.size() >= 35) {
    out += ",\"trace_id\":";
    runtime::json::write_string(out, in.traceparent.substr(3, 32));
  }
  out += '}';
  return out;
}

Pipeline::Pipeline(std::function<std::string(const PrincipalConfig&)> principal_json,
                   std::function<void(const std::string&)> audit)
    : principal_json_(std::move(principal_json)), audit_(std::move(audit)) {}

Processed Pipeline::process(PackSet& packs, const Inbound& in) const {
  const bool hl7 = in.listener != nullptr && in.listener->kind == ListenerKind::Mllp;
  const std::string hl7_type = hl7 ? hl7_message_type(in.body) : std::string();
  const LoadedRoute* chosen = nullptr;
  RouteRunners* runners = nullptr;
  std::string order_key;
  std::vector<std::string> not_when;  // routes whose trigger matched but whose `when` did not hold
  for (const LoadedRoute* route : candidate_routes(packs, in, hl7_type)) {
    RouteRunners& r = packs.runners(in.worker, *route);
    if (!r.error.empty()) {
      Processed p;
      p.kind = Processed::Kind::Failed;
      p.route = route->info->name;
      p.code = "ROUTE_BROKEN";
      p.error = r.error;
      return p;
    }
    if (r.select) {
      abi::Value outcome;
      if (auto rejection = r.select->run(in.body, false, outcome)) return rejected(route->info->name, *rejection);
      const abi::Value& when = outcome.record->slots[0];
      if (route->info->has_when && !(when.kind == abi::Kind::Bool && when.boolean)) {
        not_when.push_back(route->info->name);
        continue;
      }
      const abi::Value& order = outcome.record->slots[1];
      if (route->info->has_order && order.present()) order_key = std::string(order.str());
    }
    chosen = route;
    runners = &r;
    break;
  }
  if (chosen == nullptr) {
    Processed p;
    p.kind = Processed::Kind::NoRoute;
    p.code = "NO_ROUTE";
    p.error = hl7 ? "no route takes HL7 v2 " + (hl7_type.empty() ? std::string("messages without MSH-9") : hl7_type) +
                        " on listener " + (in.listener ? in.listener->name : "")
                  : "no route takes " + in.method + " " + in.path;
    for (std::size_t i = 0; i < not_when.size(); ++i)
      p.error += (i == 0 ? ": the `when` of " : ", ") + std::string("`") + not_when[i] + "`" +
                 (i + 1 == not_when.size() ? " does not hold for this message" : "");
    return p;
  }
  const pack::RouteInfo& info = *chosen->info;
  const std::string key = message_key(in.body, hl7);
  std::string body = in.body;

  if (runners->policy) {
    // The policy's parameters, by name, as the route's `authorize` call passes them.
    const pack::EntryPoint& entry = runners->policy->entry();
    std::string request = "{";
    for (std::size_t i = 0; i < info.policy_args.size() && i < entry.param_names.size(); ++i) {
      const pack::RouteArg& arg = info.policy_args[i];
      if (i) request += ',';
      runtime::json::write_string(request, entry.param_names[i]);
      request += ':';
      if (arg.kind == "principal")
        request += in.principal ? principal_json_(*in.principal) : "null";
      else if (arg.kind == "message")
        request += in.body;
      else if (arg.kind == "context")
        request += context_json(in);
      else
        request += arg.json;
    }
    request += '}';
    runtime::DecisionReport report;
    std::string resource;
    if (auto rejection = runners->policy->decide(request, false, report, &resource)) {
      // A fault in the message is reported at its path in the message, not in the request.
      for (std::size_t i = 0; i < info.policy_args.size() && i < entry.param_names.size(); ++i) {
        const std::string prefix = "$." + entry.param_names[i];
        if (info.policy_args[i].kind == "message" && rejection->path.compare(0, prefix.size(), prefix) == 0 &&
            (rejection->path.size() == prefix.size() || rejection->path[prefix.size()] == '.' ||
             rejection->path[prefix.size()] == '['))
          rejection->path = "$" + rejection->path.substr(prefix.size());
      }
      return rejected(info.name, *rejection);
    }
    if (audit_) {
      std::string id = sha256_hex(chosen->pack->manifest.content_hash + "\n" + info.policy + "\n" + key + "\n" +
                                  std::to_string(in.received_at_ms));
      id = id.substr(0, 8) + "-" + id.substr(8, 4) + "-" + id.substr(12, 4) + "-" + id.substr(16, 4) + "-" +
           id.substr(20, 12);
      audit_(runtime::audit_line(id, chosen->pack->manifest.content_hash, info.policy, report));
    }
    if (!report.permitted) {
      Processed p;
      p.kind = Processed::Kind::Denied;
      p.route = info.name;
      p.code = "POLICY_DENIED";
      p.error = "policy `" + info.policy + "` denied this message";
      p.rules = report.deciding;
      return p;
    }
    // Obligations (redact, mask, …) apply to the message before anything maps or leaves it.
    if (!report.obligations.empty()) {
      std::size_t colon = resource.find("\":");
      if (colon != std::string::npos) body = resource.substr(colon + 2);
    }
  }

  std::string payload;
  if (runners->mapping) {
    if (auto rejection = runners->mapping->map(body, false, payload)) return rejected(info.name, *rejection);
    if (!payload.empty() && payload.back() == '\n') payload.pop_back();
  } else {
    payload = body;
  }

  // A delivery that finds its record by a key cannot go without one: refuse the message now
  // (the sender can fix it) rather than accept it and dead-letter it later.
  std::vector<std::string> record_keys(info.deliveries.size());
  for (std::size_t i = 0; i < info.deliveries.size(); ++i) {
    const pack::RouteDelivery& d = info.deliveries[i];
    const bool keyed =
        d.family == "odoo" && (d.operation == "write" || d.operation == "upsert" || d.operation == "unlink");
    if (!keyed || d.key_field.empty()) continue;
    if (auto value = json_member_text(payload, d.key_field)) {
      record_keys[i] = d.key_field + "=" + *value;
      continue;
    }
    Processed p;
    p.kind = Processed::Kind::Rejected;
    p.route = info.name;
    p.code = "DELIVERY_KEY_MISSING";
    p.path = "$";
    p.error = "route `" + info.name + "` delivers " + d.family + "." + d.operation + " keyed by `" + d.key_field +
              "`, but the mapped record has no " + d.key_field + " for this message";
    return p;
  }

  Processed p;
  p.kind = Processed::Kind::Ready;
  p.route = info.name;
  NewMessage& m = p.message;
  m.route = info.name;
  m.listener = in.listener ? in.listener->name : "";
  m.principal = in.principal ? in.principal->id : "";
  m.content_type = in.content_type;
  m.body = in.body;
  m.traceparent = in.traceparent;
  m.message_key = key;
  m.received_at_ms = in.received_at_ms;
  for (std::size_t i = 0; i < info.deliveries.size(); ++i) {
    const pack::RouteDelivery& d = info.deliveries[i];
    NewDelivery delivery;
    delivery.endpoint = d.endpoint;
    delivery.operation = operation_json(d);
    delivery.payload = payload;
    delivery.idempotency_key = info.name + "#" + std::to_string(i) + "|" + key;
    // Deliveries that find their record by a key go one at a time per key, oldest first, even
    // without `order by`: two upserts of one record must not both search, miss and create.
    delivery.order_key = order_key.empty() ? record_keys[i] : order_key;
    delivery.max_attempts = info.attempts == 0 ? 1 : info.attempts;
    delivery.backoff_first_ms = info.retry == "none" ? 0 : info.retry_first_ms;
    delivery.backoff_max_ms = info.retry == "fixed" ? info.retry_first_ms : info.retry_max_ms;
    delivery.dead_letter = info.dead_letter;
    m.deliveries.push_back(std::move(delivery));
  }
  return p;
}

}  // namespace suture::host
