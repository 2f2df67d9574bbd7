// host.cpp — wiring the host together and the ingress handlers (see host.h). The admin API
// lives in admin_api.cpp.
#include "runtime/host/host.h"

#include <chrono>
#include <csignal>
#include <iostream>

#include <boost/asio/signal_set.hpp>

#include "runtime/host/host_impl.h"
#include "runtime/host/ingress/mllp_server.h"
#include "runtime/host/pipeline/message_facts.h"

namespace suture::host {

namespace asio = boost::asio;

namespace {

thread_local std::size_t worker_index = 0;

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// W3C trace context: version 00, 32 hex trace id, 16 hex parent id, 2 hex flags.
bool valid_traceparent(const std::string& t) {
  if (t.size() != 55 || t[2] != '-' || t[35] != '-' || t[52] != '-') return false;
  for (std::size_t i = 0; i < t.size(); ++i)
    if (i != 2 && i != 35 && i != 52 && !std::isxdigit(static_cast<unsigned char>(t[i]))) return false;
  return t.compare(3, 32, std::string(32, '0')) != 0 && t.compare(36, 16, std::string(16, '0')) != 0;
}

std::string processed_extra(const Processed& p) {
  std::string extra = "\"route\":";
  runtime::json::write_string(extra, p.route);
  if (!p.path.empty()) {
    extra += ",\"path\":";
    runtime::json::write_string(extra, p.path);
  }
  if (!p.rules.empty()) {
    extra += ",\"rules\":[";
    for (std::size_t i = 0; i < p.rules.size(); ++i) {
      if (i) extra += ',';
      runtime::json::write_string(extra, p.rules[i]);
    }
    extra += ']';
  }
  return extra;
}

// Decoder codes that mean "this is not JSON at all" rather than "this JSON is wrong".
bool syntax_code(const std::string& code) {
  return code == "JSON_MALFORMED" || code == "JSON_TOO_DEEP" || code == "JSON_TOO_LARGE";
}

}  // namespace

Host::Host(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Host::~Host() {
  if (impl_) stop();
}

std::variant<std::unique_ptr<Host>, std::vector<std::string>> Host::create(HostConfig config) {
  auto impl = std::make_unique<Impl>(std::move(config));
  std::vector<std::string> problems = impl->open();
  if (!problems.empty()) return problems;
  return std::unique_ptr<Host>(new Host(std::move(impl)));
}

std::string Host::start() {
  return impl_->start();
}
void Host::run() {
  impl_->run();
}
void Host::stop() {
  impl_->stop();
}
std::string Host::reload() {
  return impl_->reload();
}
std::string Host::listening() const {
  return impl_->listening();
}

// ───────────────────────────── Impl ─────────────────────────────

Host::Impl::Impl(HostConfig c)
    : config(std::move(c)),
      auth(config),
      pipeline([](const PrincipalConfig& p) { return principal_json(p); },
               [this](const std::string& line) { audit.write(line); }),
      observer(metrics, audit) {}

std::size_t Host::Impl::io_thread_count() const {
  return std::max<std::size_t>(1, config.io_threads);
}

std::vector<std::string> Host::Impl::open() {
  std::vector<std::string> problems;
  if (std::string error = audit.open(config.audit_log); !error.empty()) problems.push_back(error);
  StoreOptions store_options;
  store_options.commit_interval_us = config.commit_interval_us;
  auto opened = open_sqlite_store(config.store_path, store_options);
  if (auto* error = std::get_if<std::string>(&opened))
    problems.push_back("cannot open the store " + config.store_path + ": " + *error);
  else
    store = std::move(std::get<std::unique_ptr<Store>>(opened));
  auto loaded = PackSet::load(config, io_thread_count());
  if (auto* errors = std::get_if<std::vector<std::string>>(&loaded))
    problems.insert(problems.end(), errors->begin(), errors->end());
  else
    packs = std::get<std::shared_ptr<PackSet>>(loaded);
  for (const EndpointConfig& e : config.endpoints) connectors[e.name] = make_connector(e);
  for (const ListenerConfig& l : config.listeners)
    limiters[l.name] = std::make_unique<RateLimiter>(l.limits.rate_per_second, l.limits.burst);
  if (!problems.empty()) return problems;
  // Every configured endpoint has a series, 0 when nothing waits for it.
  auto per_endpoint = [this](auto value) {
    return [this, value] {
      std::map<std::string, EndpointDepth> depths;
      for (const EndpointConfig& e : config.endpoints) depths[e.name].endpoint = e.name;
      for (const EndpointDepth& d : store->depths()) depths[d.endpoint] = d;
      std::vector<Gauge> out;
      for (const auto& [name, d] : depths) out.push_back({{name}, value(d)});
      return out;
    };
  };
  metrics.add_gauge("suture_queue_depth", "Deliveries pending or in flight, by endpoint", {"endpoint"},
                    per_endpoint([](const EndpointDepth& d) { return static_cast<double>(d.pending); }));
  metrics.add_gauge("suture_dead_letters", "Deliveries in the dead letters, by endpoint", {"endpoint"},
                    per_endpoint([](const EndpointDepth& d) { return static_cast<double>(d.dead); }));
  metrics.add_gauge("suture_oldest_message_age_seconds", "Age of the oldest pending delivery, by endpoint",
                    {"endpoint"}, per_endpoint([](const EndpointDepth& d) {
                      return d.oldest_pending_ms == 0 ? 0.0
                                                      : static_cast<double>(now_ms() - d.oldest_pending_ms) / 1000.0;
                    }));
  return {};
}

std::shared_ptr<PackSet> Host::Impl::current_packs() {
  std::lock_guard lock(packs_mutex);
  return packs;
}

std::string Host::Impl::reload() {
  auto loaded = PackSet::load(config, io_thread_count());
  if (auto* errors = std::get_if<std::vector<std::string>>(&loaded)) {
    metrics.reloads.at({"failed"}).add();
    std::string joined;
    for (const std::string& e : *errors) joined += (joined.empty() ? "" : "; ") + e;
    std::cerr << "suture-host: reload refused, still running " << current_packs()->version() << ": " << joined << "\n";
    return joined;
  }
  auto next = std::get<std::shared_ptr<PackSet>>(loaded);
  {
    std::lock_guard lock(packs_mutex);
    packs = next;  // messages in flight keep the set they started with
  }
  metrics.reloads.at({"ok"}).add();
  std::cerr << "suture-host: reloaded " << next->version() << "\n";
  return {};
}

std::string Host::Impl::start() {
  for (const ListenerConfig& l : config.listeners) {
    std::shared_ptr<asio::ssl::context> tls;
    if (l.tls) {
      auto made = tls_context(*l.tls);
      if (auto* error = std::get_if<std::string>(&made)) return "listener " + l.name + ": " + *error;
      tls = std::get<std::shared_ptr<asio::ssl::context>>(made);
    }
    // Starts a listener's server and keeps it, noting where it listens.
    auto keep = [&](auto server, auto& servers) -> std::string {
      if (std::string error = server->start(); !error.empty()) return "listener " + l.name + ": " + error;
      bound.push_back(l.name + "=" + l.address + ":" + std::to_string(server->port()));
      servers.push_back(std::move(server));
      return {};
    };
    std::string error;
    if (l.kind == ListenerKind::Http) {
      HttpServerOptions options{
          .address = l.address, .port = l.port, .max_body_bytes = l.limits.max_body_bytes, .tls = tls};
      error = keep(std::make_unique<HttpServer>(io, options,
                                                [this, &l](ServerRequest&& request, ServerResponder respond) {
                                                  on_http(l, std::move(request), std::move(respond));
                                                }),
                   http_servers);
    } else {
      MllpServerOptions options{
          .address = l.address, .port = l.port, .max_frame_bytes = l.limits.max_body_bytes, .tls = tls};
      error = keep(std::make_unique<MllpServer>(io, options,
                                                [this, &l](MllpFrame&& frame, MllpResponder respond) {
                                                  on_mllp(l, std::move(frame), std::move(respond));
                                                }),
                   mllp_servers);
    }
    if (!error.empty()) return error;
  }
  if (config.admin.port != 0 || !config.admin.address.empty()) {
    HttpServerOptions options;
    options.address = config.admin.address;
    options.port = config.admin.port;
    options.max_body_bytes = 64 * 1024;
    admin_server = std::make_unique<HttpServer>(io, options, [this](ServerRequest&& request, ServerResponder respond) {
      on_admin(std::move(request), std::move(respond));
    });
    if (std::string error = admin_server->start(); !error.empty()) return "admin listener: " + error;
    bound.push_back("admin=" + config.admin.address + ":" + std::to_string(admin_server->port()));
  }
  start_dispatcher();
  signals = std::make_unique<asio::signal_set>(io, SIGINT, SIGTERM, SIGHUP);
  wait_signal();
  work.emplace(asio::make_work_guard(io));
  for (std::size_t i = 0; i < io_thread_count(); ++i)
    threads.emplace_back([this, i] {
      worker_index = i;
      io.run();
    });
  started = true;
  return {};
}

void Host::Impl::wait_signal() {
  signals->async_wait([this](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    if (signal == SIGHUP) {
      reload();
      wait_signal();
      return;
    }
    std::cerr << "suture-host: " << (signal == SIGTERM ? "SIGTERM" : "SIGINT") << ": stopping\n";
    request_stop();
  });
}

void Host::Impl::request_stop() {
  std::lock_guard lock(stop_mutex);
  stop_requested = true;
  stop_cv.notify_all();
}

void Host::Impl::run() {
  std::unique_lock lock(stop_mutex);
  stop_cv.wait(lock, [this] { return stop_requested; });
}

void Host::Impl::stop() {
  if (!started || stopped.exchange(true)) return;
  request_stop();
  for (auto& s : http_servers) s->stop();
  for (auto& s : mllp_servers) s->stop();
  if (admin_server) admin_server->stop();
  // Replies to messages already being stored still go out: give them a moment.
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  stop_dispatcher();
  if (signals) {
    boost::system::error_code ignored;
    signals->cancel(ignored);
  }
  work.reset();
  io.stop();
  for (auto& t : threads) t.join();
  threads.clear();
}

std::string Host::Impl::listening() const {
  std::string out;
  for (const std::string& b : bound) out += (out.empty() ? "" : " ") + b;
  return out;
}

// ───────────────────────────── ingress ─────────────────────────────

void Host::Impl::on_http(const ListenerConfig& listener, ServerRequest&& request, ServerResponder respond) {
  const auto started_at = std::chrono::steady_clock::now();
  auto reply = [this, &listener, started_at, respond](unsigned status, std::string body) {
    metrics.ingress_latency.at({listener.name}).observe(seconds_since(started_at));
    ServerReply r;
    r.status = status;
    r.body = std::move(body);
    respond(std::move(r));
  };
  auto refuse = [&](unsigned status, const std::string& code, const std::string& error, const std::string& route = "",
                    const std::string& extra = "") {
    metrics.rejected.at({listener.name, route, code}).add();
    reply(status, error_body(status == 401   ? "unauthenticated"
                             : status == 403 ? "denied"
                                             : "rejected",
                             code, error, extra));
  };
  const std::string authorization = request.header("authorization");
  const std::string x_api_key = request.header("x-api-key");
  RequestCredentials credentials;
  credentials.authorization = authorization;
  credentials.x_api_key = x_api_key;
  if (auto it = request.query.find("api_key"); it != request.query.end()) credentials.query_api_key = it->second;
  credentials.peer_subject = request.peer_subject;
  auto who = auth.authenticate(listener, credentials);
  if (auto* failure = std::get_if<AuthFailure>(&who))
    return refuse(failure->http_status, failure->code, failure->message);
  const PrincipalConfig* principal = std::get<const PrincipalConfig*>(who);
  if (!limiters[listener.name]->allow(principal ? principal->id : request.remote))
    return refuse(429, "RATE_LIMITED", "too many messages from this principal on listener " + listener.name);
  if (request.method != "POST" && request.method != "PUT")
    return refuse(405, "METHOD_NOT_ALLOWED", "this listener takes POST and PUT; got " + request.method);
  if (json_too_deep(request.body, listener.limits.max_depth))
    return refuse(
        400, "JSON_TOO_DEEP",
        "the body nests deeper than this listener's limit of " + std::to_string(listener.limits.max_depth) + " levels",
        "", "\"path\":\"$\"");

  Inbound in;
  in.listener = &listener;
  in.method = request.method;
  in.path = request.path;
  in.body = std::move(request.body);
  in.content_type = request.header("content-type");
  in.principal = principal;
  if (std::string t = request.header("traceparent"); valid_traceparent(t)) in.traceparent = t;
  in.received_at_ms = now_ms();
  in.worker = worker_index;
  std::shared_ptr<PackSet> set = current_packs();
  Processed processed = pipeline.process(*set, in);
  metrics.received.at({listener.name, processed.route}).add();
  switch (processed.kind) {
    case Processed::Kind::NoRoute: return refuse(404, processed.code, processed.error);
    case Processed::Kind::Rejected:
      return refuse(syntax_code(processed.code) ? 400 : 422, processed.code, processed.error, processed.route,
                    processed_extra(processed));
    case Processed::Kind::Denied:
      metrics.denied.at({processed.route}).add();
      return refuse(403, processed.code, processed.error, processed.route, processed_extra(processed));
    case Processed::Kind::Failed:
      return refuse(500, processed.code, processed.error, processed.route, processed_extra(processed));
    case Processed::Kind::Ready: break;
  }
  std::string route = processed.route;
  std::vector<std::string> endpoints;
  for (const NewDelivery& d : processed.message.deliveries) endpoints.push_back(d.endpoint);
  store->accept(std::move(processed.message), [this, reply, route, endpoints, &listener](const AcceptResult& result) {
    if (!result.ok) {
      metrics.rejected.at({listener.name, route, "STORE_UNAVAILABLE"}).add();
      return reply(503, error_body("rejected", "STORE_UNAVAILABLE",
                                   "the message could not be stored; send it again: " + result.error));
    }
    metrics.accepted.at({route}).add();
    if (result.duplicate_deliveries) metrics.duplicates.at({route}).add(result.duplicate_deliveries);
    for (const std::string& e : endpoints) notify_dispatcher(e);
    std::string body = "{\"status\":\"accepted\",\"message_id\":" + std::to_string(result.message_id) + ",\"route\":";
    runtime::json::write_string(body, route);
    body += ",\"deliveries\":" + std::to_string(result.new_deliveries) +
            ",\"duplicates\":" + std::to_string(result.duplicate_deliveries) + "}";
    reply(202, std::move(body));
  });
}

void Host::Impl::on_mllp(const ListenerConfig& listener, MllpFrame&& frame, MllpResponder respond) {
  const auto started_at = std::chrono::steady_clock::now();
  auto refuse = [&](const std::string& ack_code, const std::string& code, const std::string& path,
                    const std::string& error, const std::string& route = "") {
    metrics.rejected.at({listener.name, route, code}).add();
    metrics.ingress_latency.at({listener.name}).observe(seconds_since(started_at));
    respond(hl7_ack(frame.message, ack_code, code, path, error));
  };
  RequestCredentials credentials;
  credentials.peer_subject = frame.peer_subject;
  auto who = auth.authenticate(listener, credentials);
  if (auto* failure = std::get_if<AuthFailure>(&who)) return refuse("AR", failure->code, "", failure->message);
  const PrincipalConfig* principal = std::get<const PrincipalConfig*>(who);
  if (!limiters[listener.name]->allow(principal ? principal->id : frame.remote))
    return refuse("AR", "RATE_LIMITED", "", "too many messages on listener " + listener.name + "; send again later");
  Inbound in;
  in.listener = &listener;
  in.body = frame.message;
  in.content_type = "x-application/hl7-v2+er7";
  in.principal = principal;
  in.received_at_ms = now_ms();
  in.worker = worker_index;
  std::shared_ptr<PackSet> set = current_packs();
  Processed processed = pipeline.process(*set, in);
  metrics.received.at({listener.name, processed.route}).add();
  switch (processed.kind) {
    case Processed::Kind::NoRoute: return refuse("AR", processed.code, "MSH-9", processed.error);
    case Processed::Kind::Rejected:
      return refuse("AE", processed.code, processed.path, processed.error, processed.route);
    case Processed::Kind::Denied:
      metrics.denied.at({processed.route}).add();
      return refuse("AR", processed.code, "", processed.error, processed.route);
    case Processed::Kind::Failed: return refuse("AR", processed.code, "", processed.error, processed.route);
    case Processed::Kind::Ready: break;
  }
  std::string route = processed.route;
  std::vector<std::string> endpoints;
  for (const NewDelivery& d : processed.message.deliveries) endpoints.push_back(d.endpoint);
  std::string message = frame.message;
  store->accept(std::move(processed.message), [this, respond, route, endpoints, message, started_at,
                                               &listener](const AcceptResult& result) {
    metrics.ingress_latency.at({listener.name}).observe(seconds_since(started_at));
    if (!result.ok) {
      metrics.rejected.at({listener.name, route, "STORE_UNAVAILABLE"}).add();
      return respond(hl7_ack(message, "AR", "STORE_UNAVAILABLE", "", "not stored; send again: " + result.error));
    }
    metrics.accepted.at({route}).add();
    if (result.duplicate_deliveries) metrics.duplicates.at({route}).add(result.duplicate_deliveries);
    for (const std::string& e : endpoints) notify_dispatcher(e);
    respond(hl7_ack(message, "AA"));
  });
}

}  // namespace suture::host
