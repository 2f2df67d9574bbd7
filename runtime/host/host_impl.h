// host_impl.h — the host's parts and the handlers between them (internal to runtime/host:
// host.cpp wires and serves, admin_api.cpp answers the admin listener, delivery_events.cpp
// turns delivery outcomes into metrics and audit lines).
#pragma once

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl/context.hpp>

#include "runtime/codecs/json/writer.h"
#include "runtime/host/config/config.h"
#include "runtime/host/connectors/connector.h"
#include "runtime/host/delivery/dispatcher.h"
#include "runtime/host/host.h"
#include "runtime/host/ingress/auth.h"
#include "runtime/host/ingress/http_server.h"
#include "runtime/host/ingress/mllp_server.h"
#include "runtime/host/ingress/rate_limit.h"
#include "runtime/host/ingress/tls_context.h"
#include "runtime/host/ops/audit_log.h"
#include "runtime/host/ops/metrics.h"
#include "runtime/host/pipeline/pipeline.h"
#include "runtime/host/store/store.h"

namespace suture::host {

// Delivery outcomes → metrics and audit lines (no payloads).
class DeliveryEvents : public DeliveryObserver {
 public:
  DeliveryEvents(Metrics& metrics, AuditLog& audit) : metrics_(metrics), audit_(audit) {}
  void on_attempt(const std::string& endpoint, const std::string& route) override;
  void on_delivered(const std::string& endpoint, const std::string& route, std::int64_t latency_ms) override;
  void on_retry(const std::string& endpoint, const std::string& route, const std::string& code) override;
  void on_dead(const std::string& endpoint, const std::string& route, const std::string& code) override;
  void on_dropped(const std::string& endpoint, const std::string& route, const std::string& code) override;
  void on_breaker(const std::string& endpoint, bool open) override;

 private:
  void line(const char* event, const std::string& endpoint, const std::string& route, const std::string& code);
  Metrics& metrics_;
  AuditLog& audit_;
};

struct Host::Impl {
  explicit Impl(HostConfig config);
  std::vector<std::string> open();
  std::string start();
  void run();
  void stop();
  std::string reload();
  std::string listening() const;
  std::size_t io_thread_count() const;
  std::shared_ptr<PackSet> current_packs();

  void on_http(const ListenerConfig& listener, ServerRequest&& request, ServerResponder respond);
  void on_mllp(const ListenerConfig& listener, MllpFrame&& frame, MllpResponder respond);
  void on_admin(ServerRequest&& request, ServerResponder respond);
  void wait_signal();
  void request_stop();
  void start_dispatcher();
  void stop_dispatcher();
  void notify_dispatcher(const std::string& endpoint);

  HostConfig config;
  Metrics metrics;
  AuditLog audit;
  Authenticator auth;
  Pipeline pipeline;
  DeliveryEvents observer;
  std::unique_ptr<Store> store;
  std::mutex packs_mutex;
  std::shared_ptr<PackSet> packs;
  std::map<std::string, std::unique_ptr<Connector>> connectors;
  std::unique_ptr<Dispatcher> dispatcher;
  std::map<std::string, std::unique_ptr<RateLimiter>> limiters;

  boost::asio::io_context io;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work;
  std::unique_ptr<boost::asio::signal_set> signals;
  std::vector<std::thread> threads;
  std::vector<std::unique_ptr<HttpServer>> http_servers;
  std::vector<std::unique_ptr<MllpServer>> mllp_servers;
  std::unique_ptr<HttpServer> admin_server;
  std::vector<std::string> bound;

  std::mutex stop_mutex;
  std::condition_variable stop_cv;
  bool stop_requested = false;
  bool started = false;
  std::atomic<bool> stopped{false};
};

}  // namespace suture::host
