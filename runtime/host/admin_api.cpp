// admin_api.cpp — the admin listener: /healthz, /readyz and /metrics for anyone who can reach
// it, and, with an admin API key, /admin/dead-letters (list), /admin/dead-letters/<id>/replay,
// /admin/reload and /admin/routes. Replies are JSON; no payload is ever returned.
#include "runtime/host/host_impl.h"

namespace suture::host {
namespace {

const char* state_name(DeliveryState s) {
  switch (s) {
    case DeliveryState::Pending: return "pending";
    case DeliveryState::InFlight: return "in_flight";
    case DeliveryState::Delivered: return "delivered";
    case DeliveryState::Dead: return "dead";
    case DeliveryState::Dropped: return "dropped";
  }
  return "unknown";
}

std::string delivery_json(const StoredDelivery& d) {
  using runtime::json::write_string;
  std::string out =
      "{\"id\":" + std::to_string(d.id) + ",\"message_id\":" + std::to_string(d.message_id) + ",\"route\":";
  write_string(out, d.route);
  out += ",\"endpoint\":";
  write_string(out, d.endpoint);
  out += ",\"operation\":" + (d.operation.empty() ? std::string("null") : d.operation);
  out += ",\"state\":";
  write_string(out, state_name(d.state));
  out += ",\"attempts\":" + std::to_string(d.attempts) + ",\"max_attempts\":" + std::to_string(d.max_attempts);
  out += ",\"code\":";
  write_string(out, d.last_code);
  out += ",\"error\":";
  write_string(out, d.last_error);
  out += ",\"idempotency_key\":";
  write_string(out, d.idempotency_key);
  out += ",\"created_at_ms\":" + std::to_string(d.created_at_ms) + "}";
  return out;
}

}  // namespace

void Host::Impl::on_admin(ServerRequest&& request, ServerResponder respond) {
  auto reply = [&](unsigned status, std::string body, std::string type = "application/json") {
    ServerReply r;
    r.status = status;
    r.body = std::move(body);
    r.content_type = std::move(type);
    respond(std::move(r));
  };
  const std::string& path = request.path;
  if (request.method == "GET" && path == "/healthz") return reply(200, "{\"status\":\"ok\"}");
  if (request.method == "GET" && path == "/readyz") {
    std::shared_ptr<PackSet> set = current_packs();
    std::string body = "{\"status\":\"ready\",\"packs\":";
    runtime::json::write_string(body, set ? set->version() : "");
    body += ",\"routes\":" + std::to_string(set ? set->route_count() : 0) + "}";
    return reply(set && store ? 200 : 503, std::move(body));
  }
  if (request.method == "GET" && path == "/metrics")
    return reply(200, metrics.render(), "text/plain; version=0.0.4; charset=utf-8");
  if (path.rfind("/admin/", 0) != 0) return reply(404, error_body("rejected", "NOT_FOUND", "no such admin resource"));

  if (config.admin.api_keys.empty())
    return reply(403, error_body("denied", "ADMIN_DISABLED", "no admin API key is configured (admin.api_keys)"));
  const std::string authorization = request.header("authorization");
  const std::string x_api_key = request.header("x-api-key");
  RequestCredentials credentials;
  credentials.authorization = authorization;
  credentials.x_api_key = x_api_key;
  if (auto failure = auth.authenticate_admin(credentials))
    return reply(static_cast<unsigned>(failure->http_status),
                 error_body("unauthenticated", failure->code, failure->message));

  if (request.method == "GET" && path == "/admin/dead-letters") {
    std::size_t limit = 100;
    std::int64_t after = 0;
    try {
      if (auto it = request.query.find("limit"); it != request.query.end()) limit = std::stoul(it->second);
      if (auto it = request.query.find("after"); it != request.query.end()) after = std::stoll(it->second);
    } catch (...) {
      return reply(400, error_body("rejected", "BAD_QUERY", "limit and after are numbers"));
    }
    std::string body = "[";
    bool first = true;
    for (const StoredDelivery& d : store->dead_letters(std::min<std::size_t>(limit, 1000), after)) {
      body += (first ? "" : ",") + delivery_json(d);
      first = false;
    }
    return reply(200, body + "]");
  }
  const std::string prefix = "/admin/dead-letters/";
  if (request.method == "POST" && path.rfind(prefix, 0) == 0 && path.size() > prefix.size() + 7 &&
      path.compare(path.size() - 7, 7, "/replay") == 0) {
    std::int64_t id = 0;
    try {
      id = std::stoll(path.substr(prefix.size(), path.size() - 7 - prefix.size()));
    } catch (...) {
      return reply(400, error_body("rejected", "BAD_ID", "a dead letter is named by its number"));
    }
    auto before = store->delivery(id);
    if (!store->replay(id))
      return reply(404, error_body("rejected", "NOT_A_DEAD_LETTER", "there is no dead letter " + std::to_string(id)));
    if (before) notify_dispatcher(before->endpoint);
    audit.write("{\"event\":\"replay\",\"delivery\":" + std::to_string(id) + "}");
    return reply(200, "{\"status\":\"replayed\",\"id\":" + std::to_string(id) + "}");
  }
  if (request.method == "GET" && path.rfind("/admin/deliveries/", 0) == 0) {
    std::int64_t id = 0;
    try {
      id = std::stoll(path.substr(18));
    } catch (...) {
      return reply(400, error_body("rejected", "BAD_ID", "a delivery is named by its number"));
    }
    auto d = store->delivery(id);
    if (!d) return reply(404, error_body("rejected", "NOT_FOUND", "there is no delivery " + std::to_string(id)));
    return reply(200, delivery_json(*d));
  }
  if (request.method == "POST" && path == "/admin/reload") {
    std::string problems = reload();
    if (!problems.empty()) return reply(422, error_body("rejected", "RELOAD_REFUSED", problems));
    std::string body = "{\"status\":\"reloaded\",\"packs\":";
    runtime::json::write_string(body, current_packs()->version());
    return reply(200, body + "}");
  }
  if (request.method == "GET" && path == "/admin/routes") {
    std::shared_ptr<PackSet> set = current_packs();
    std::string body = "[";
    for (const LoadedRoute& r : set->routes()) {
      if (body.size() > 1) body += ',';
      body += "{\"name\":";
      runtime::json::write_string(body, r.info->name);
      body += ",\"priority\":" + std::to_string(r.info->priority) + ",\"endpoints\":[";
      for (std::size_t i = 0; i < r.info->deliveries.size(); ++i) {
        if (i) body += ',';
        runtime::json::write_string(body, r.info->deliveries[i].endpoint);
      }
      body += "]}";
    }
    return reply(200, body + "]");
  }
  reply(404, error_body("rejected", "NOT_FOUND", "no such admin resource: " + request.method + " " + path));
}

}  // namespace suture::host
