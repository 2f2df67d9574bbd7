// dispatcher.h — delivery: per endpoint, up to `concurrency` workers claim due deliveries from
// the store, hand each to the endpoint's connector, and record what came of it — delivered;
// retried later with backoff; or, after the last attempt or a permanent refusal, dead-lettered
// or dropped as the route asked. Each endpoint has a circuit breaker and (when configured) a
// rate limit. Workers sleep until the next delivery is due, and notify() wakes them as soon as
// something new is stored, so delivery latency is not a polling interval.
// Pipeline position: store.accept → (notify) → here → Connector::deliver → store outcomes.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "runtime/host/config/config.h"
#include "runtime/host/connectors/connector.h"
#include "runtime/host/delivery/backoff.h"
#include "runtime/host/delivery/circuit_breaker.h"
#include "runtime/host/store/store.h"

namespace suture::host {

// What delivery reports as it goes (metrics implement it). Called from the workers' threads,
// several at once: implementations must be thread-safe and quick. Every method does nothing
// unless overridden.
class DeliveryObserver {
 public:
  virtual ~DeliveryObserver() = default;
  // An attempt is about to be made.
  virtual void on_attempt(const std::string& endpoint, const std::string& route) {}
  // Confirmed by the endpoint; `latency_ms` runs from when the message was received.
  virtual void on_delivered(const std::string& endpoint, const std::string& route, std::int64_t latency_ms) {}
  // A transient failure, to be tried again after a backoff.
  virtual void on_retry(const std::string& endpoint, const std::string& route, const std::string& code) {}
  // Given up on: moved to the dead letters, or dropped (the route said not to keep it).
  virtual void on_dead(const std::string& endpoint, const std::string& route, const std::string& code) {}
  virtual void on_dropped(const std::string& endpoint, const std::string& route, const std::string& code) {}
  // The endpoint's circuit opened (true) or closed again (false).
  virtual void on_breaker(const std::string& endpoint, bool open) {}
};

// One configured endpoint as delivery needs it. The connector is not owned and must outlive
// the dispatcher.
struct DispatchEndpoint {
  EndpointConfig config;
  Connector* connector = nullptr;
};

struct DispatcherOptions {
  // The longest a worker sleeps with nothing due: what it takes to notice a delivery nobody
  // notified about (a replay, an accept by another process).
  std::chrono::milliseconds idle_wait{200};
  Jitter jitter = Jitter::Full;
  std::uint64_t seed = 0;  // for the backoff jitter; 0 = a random seed
  // The clock the store's times are in (ms since the epoch). Tests pin it to walk a schedule.
  std::function<std::int64_t()> now_ms;
};

// Codes for failures found before anything is sent (the stored delivery itself is unusable).
inline constexpr const char* kBadOperationCode = "BAD_OPERATION";
inline constexpr const char* kUnsupportedOperationCode = "UNSUPPORTED_OPERATION";

class Dispatcher {
 public:
  Dispatcher(Store& store, std::map<std::string, DispatchEndpoint> endpoints, DeliveryObserver& observer,
             DispatcherOptions options = {});
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;
  ~Dispatcher();  // stop()

  // Starts every endpoint's workers (again, after a stop()).
  void start();
  // Wakes every worker, lets the attempts under way finish and be recorded, and joins them.
  // Nothing is lost: whatever was not attempted stays Pending in the store.
  void stop();
  // Something was stored for `endpoint` (or replayed): an idle worker looks now. Unknown
  // endpoints are ignored. Cheap; call it from the accept callback.
  void notify(const std::string& endpoint);
  // Whether the endpoint's circuit is open or half-open (for readiness); false when unknown.
  bool circuit_open(const std::string& endpoint) const;

 private:
  struct Lane;
  void work(Lane& lane, std::uint64_t seed);
  // Sends one claimed delivery and records the outcome.
  void attempt(Lane& lane, const StoredDelivery& delivery, const CircuitBreaker::Permit& permit,
               std::mt19937_64& random);
  void give_up(Lane& lane, const StoredDelivery& delivery, const std::string& code, const std::string& detail);
  // Sleeps until `deadline`, a notify() (when `wakeups_seen` is given) or stop().
  void wait(Lane& lane, std::chrono::steady_clock::time_point deadline, const std::uint64_t* wakeups_seen);
  void wake(Lane& lane, bool everyone);
  std::int64_t now_ms() const;

  Store& store_;
  DeliveryObserver& observer_;
  DispatcherOptions options_;
  std::map<std::string, std::unique_ptr<Lane>> lanes_;
  std::atomic<bool> stopping_{false};
  std::mutex running_mutex_;  // start() and stop()
  bool running_ = false;
};

}  // namespace suture::host
