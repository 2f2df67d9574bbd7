// delivery_events.cpp — what the dispatcher reports, counted in the metrics and written to the
// audit log (endpoint, route, code: never a payload). Also starts and stops the dispatcher.
#include "runtime/host/host_impl.h"

namespace suture::host {

void DeliveryEvents::line(const char* event, const std::string& endpoint, const std::string& route,
                          const std::string& code) {
  std::string out = "{\"event\":";
  runtime::json::write_string(out, event);
  out += ",\"route\":";
  runtime::json::write_string(out, route);
  out += ",\"endpoint\":";
  runtime::json::write_string(out, endpoint);
  if (!code.empty()) {
    out += ",\"code\":";
    runtime::json::write_string(out, code);
  }
  out += '}';
  audit_.write(out);
}

void DeliveryEvents::on_attempt(const std::string& endpoint, const std::string& route) {
  metrics_.attempts.at({route, endpoint}).add();
}

void DeliveryEvents::on_delivered(const std::string& endpoint, const std::string& route, std::int64_t latency_ms) {
  metrics_.delivered.at({route, endpoint}).add();
  metrics_.delivery_latency.at({route, endpoint}).observe(static_cast<double>(latency_ms) / 1000.0);
}

void DeliveryEvents::on_retry(const std::string& endpoint, const std::string& route, const std::string& code) {
  metrics_.retried.at({route, endpoint, code}).add();
}

void DeliveryEvents::on_dead(const std::string& endpoint, const std::string& route, const std::string& code) {
  metrics_.dead.at({route, endpoint, code}).add();
  line("dead_letter", endpoint, route, code);
}

void DeliveryEvents::on_dropped(const std::string& endpoint, const std::string& route, const std::string& code) {
  metrics_.dropped.at({route, endpoint, code}).add();
  line("dropped", endpoint, route, code);
}

void DeliveryEvents::on_breaker(const std::string& endpoint, bool open) {
  if (open) metrics_.breaker.at({endpoint}).add();
  line(open ? "circuit_open" : "circuit_closed", endpoint, "", "");
}

void Host::Impl::start_dispatcher() {
  std::map<std::string, DispatchEndpoint> endpoints;
  for (const EndpointConfig& e : config.endpoints) endpoints[e.name] = DispatchEndpoint{e, connectors[e.name].get()};
  dispatcher = std::make_unique<Dispatcher>(*store, std::move(endpoints), observer);
  dispatcher->start();
}

void Host::Impl::stop_dispatcher() {
  if (dispatcher) dispatcher->stop();
}

void Host::Impl::notify_dispatcher(const std::string& endpoint) {
  if (dispatcher) dispatcher->notify(endpoint);
}

}  // namespace suture::host
