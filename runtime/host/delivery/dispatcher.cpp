// dispatcher.cpp — the delivery workers (see dispatcher.h): claim, send, record, and sleep
// until something is due or notify() says something was stored.
#include "runtime/host/delivery/dispatcher.h"

#include <algorithm>
#include <condition_variable>
#include <random>

#include "runtime/host/delivery/delivery_request.h"
#include "runtime/host/delivery/token_bucket.h"

namespace suture::host {
namespace {

using SteadyClock = std::chrono::steady_clock;

std::int64_t system_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

const char* code_or(const std::string& code, const char* fallback) {
  return code.empty() ? fallback : code.c_str();
}

}  // namespace

// One endpoint: its connector, circuit, rate limit, workers, and what wakes them.
struct Dispatcher::Lane {
  Lane(std::string endpoint_name, const DispatchEndpoint& endpoint)
      : name(std::move(endpoint_name)),
        config(endpoint.config),
        connector(endpoint.connector),
        breaker(config.breaker_failures, std::chrono::milliseconds(config.breaker_cooldown_ms)),
        bucket(config.rate_per_second) {}

  const std::string name;
  const EndpointConfig config;
  Connector* const connector;
  CircuitBreaker breaker;
  TokenBucket bucket;

  std::mutex mutex;  // guards wakeups; `wakeup` waits on it
  std::condition_variable wakeup;
  std::uint64_t wakeups = 0;  // bumped by every wake, so a worker can tell it missed none
  std::vector<std::thread> workers;

  std::uint64_t wakeups_now() {
    std::lock_guard lock(mutex);
    return wakeups;
  }
};

Dispatcher::Dispatcher(Store& store, std::map<std::string, DispatchEndpoint> endpoints, DeliveryObserver& observer,
                       DispatcherOptions options)
    : store_(store), observer_(observer), options_(std::move(options)) {
  if (!options_.now_ms) options_.now_ms = system_now_ms;
  if (options_.seed == 0) options_.seed = (std::uint64_t{std::random_device{}()} << 32) | std::random_device{}();
  for (auto& [name, endpoint] : endpoints) {
    if (endpoint.connector == nullptr) continue;  // nothing to deliver with: its rows stay Pending
    lanes_.emplace(name, std::make_unique<Lane>(name, endpoint));
  }
}

Dispatcher::~Dispatcher() {
  stop();
}

std::int64_t Dispatcher::now_ms() const {
  return options_.now_ms();
}

void Dispatcher::start() {
  std::lock_guard lock(running_mutex_);
  if (running_) return;
  stopping_ = false;
  running_ = true;
  std::uint64_t worker_number = 0;
  for (auto& [name, lane] : lanes_) {
    const std::uint32_t count = std::max<std::uint32_t>(1, lane->config.concurrency);
    for (std::uint32_t i = 0; i < count; ++i) {
      // Each worker its own generator: no lock on the jitter, and a seed fixes every schedule.
      const std::uint64_t seed = options_.seed + 0x9e3779b97f4a7c15ULL * ++worker_number;
      lane->workers.emplace_back([this, raw = lane.get(), seed] { work(*raw, seed); });
    }
  }
}

void Dispatcher::stop() {
  std::lock_guard lock(running_mutex_);
  if (!running_) return;
  stopping_ = true;
  for (auto& [name, lane] : lanes_) wake(*lane, true);
  for (auto& [name, lane] : lanes_) {
    for (std::thread& worker : lane->workers) worker.join();
    lane->workers.clear();
  }
  running_ = false;
}

void Dispatcher::notify(const std::string& endpoint) {
  const auto found = lanes_.find(endpoint);
  if (found != lanes_.end()) wake(*found->second, false);
}

bool Dispatcher::circuit_open(const std::string& endpoint) const {
  const auto found = lanes_.find(endpoint);
  return found != lanes_.end() && found->second->breaker.state(SteadyClock::now()) != CircuitBreaker::State::Closed;
}

void Dispatcher::wake(Lane& lane, bool everyone) {
  {
    std::lock_guard lock(lane.mutex);
    ++lane.wakeups;
  }
  if (everyone) {
    lane.wakeup.notify_all();
  } else {
    lane.wakeup.notify_one();
  }
}

void Dispatcher::wait(Lane& lane, SteadyClock::time_point deadline, const std::uint64_t* wakeups_seen) {
  std::unique_lock lock(lane.mutex);
  lane.wakeup.wait_until(
      lock, deadline, [&] { return stopping_.load() || (wakeups_seen != nullptr && lane.wakeups != *wakeups_seen); });
}

void Dispatcher::work(Lane& lane, std::uint64_t seed) {
  std::mt19937_64 random(seed);
  while (!stopping_) {
    // Read before looking for work, so a notify() that lands while we look is not slept through.
    const std::uint64_t wakeups_seen = lane.wakeups_now();
    const auto now = SteadyClock::now();
    const auto idle_deadline = now + options_.idle_wait;

    const CircuitBreaker::Permit permit = lane.breaker.try_acquire(now);
    if (!permit.allowed) {
      const auto until = permit.retry_at == SteadyClock::time_point{} ? idle_deadline : permit.retry_at;
      wait(lane, std::min(until, idle_deadline), &wakeups_seen);
      continue;
    }
    if (const auto delay = lane.bucket.take(now); delay > SteadyClock::duration::zero()) {
      wait(lane, now + delay, nullptr);  // only stop() cuts a rate wait short
      if (stopping_) {
        lane.bucket.give_back();
        lane.breaker.abandoned(permit);
        break;
      }
    }

    std::vector<StoredDelivery> claimed = store_.claim(lane.name, now_ms(), 1);
    if (claimed.empty()) {
      lane.bucket.give_back();
      lane.breaker.abandoned(permit);
      auto deadline = idle_deadline;
      // Due later: sleep until then. Due already but not claimable (held back by an older
      // delivery of its order key): that one's outcome will wake us.
      if (const auto due = store_.next_due(lane.name)) {
        const std::int64_t due_in_ms = *due - now_ms();
        if (due_in_ms > 0) deadline = std::min(deadline, SteadyClock::now() + std::chrono::milliseconds(due_in_ms));
      }
      wait(lane, deadline, &wakeups_seen);
      continue;
    }
    const StoredDelivery& delivery = claimed.front();
    // There may be more where this came from: pass the word on to another idle worker.
    wake(lane, false);
    // Between the permit and the claim the circuit may have opened (another worker's failure),
    // or stop() may have begun: give the delivery back unattempted.
    if (stopping_ || (!permit.trial && lane.breaker.state(SteadyClock::now()) != CircuitBreaker::State::Closed)) {
      store_.release(delivery.id);
      lane.breaker.abandoned(permit);
      continue;
    }
    attempt(lane, delivery, permit, random);
  }
}

void Dispatcher::give_up(Lane& lane, const StoredDelivery& delivery, const std::string& code,
                         const std::string& detail) {
  store_.give_up(delivery.id, delivery.dead_letter, code, detail);
  if (delivery.dead_letter) {
    observer_.on_dead(lane.name, delivery.route, code);
  } else {
    observer_.on_dropped(lane.name, delivery.route, code);
  }
}

void Dispatcher::attempt(Lane& lane, const StoredDelivery& delivery, const CircuitBreaker::Permit& permit,
                         std::mt19937_64& random) {
  auto request = request_for(delivery);
  std::string unusable;
  const char* unusable_code = kBadOperationCode;
  if (auto* error = std::get_if<std::string>(&request)) {
    unusable = *error;
  } else if (std::string why = lane.connector->check(std::get<DeliveryRequest>(request)); !why.empty()) {
    unusable = why;
    unusable_code = kUnsupportedOperationCode;
  }
  if (!unusable.empty()) {
    // Nothing was sent, so the endpoint's circuit learns nothing from it.
    lane.breaker.abandoned(permit);
    give_up(lane, delivery, unusable_code, unusable);
    if (permit.trial) wake(lane, true);
    if (!delivery.order_key.empty()) wake(lane, false);
    return;
  }

  observer_.on_attempt(lane.name, delivery.route);
  DeliveryResult result;
  try {
    result = lane.connector->deliver(std::get<DeliveryRequest>(request));
  } catch (const std::exception& e) {  // connectors do not throw; if one does, it is a retry, not a crash
    result = DeliveryResult{Outcome::Transient, "CONNECTOR_EXCEPTION", e.what(), {}, 0, 0};
  } catch (...) {
    result = DeliveryResult{Outcome::Transient, "CONNECTOR_EXCEPTION", "unknown exception", {}, 0, 0};
  }

  CircuitBreaker::Change change = CircuitBreaker::Change::None;
  bool finished = true;  // no further attempt will be made
  switch (result.outcome) {
    case Outcome::Delivered: {
      const std::int64_t now = now_ms();
      store_.delivered(delivery.id, now);
      change = lane.breaker.succeeded(permit);
      observer_.on_delivered(lane.name, delivery.route, std::max<std::int64_t>(0, now - delivery.created_at_ms));
      break;
    }
    case Outcome::Permanent:
      change = lane.breaker.succeeded(permit);  // it answered: the endpoint is up
      give_up(lane, delivery, code_or(result.code, "PERMANENT"), result.detail);
      break;
    case Outcome::Transient: {
      change = lane.breaker.failed(permit, SteadyClock::now());
      const std::string code = code_or(result.code, "TRANSIENT");
      // The claim counted this attempt, so `attempts` is its number.
      if (delivery.attempts >= std::max<std::uint32_t>(1, delivery.max_attempts)) {
        give_up(lane, delivery, code, result.detail);
        break;
      }
      const std::uint64_t delay = backoff_delay_ms(delivery.attempts, delivery.backoff_first_ms,
                                                   delivery.backoff_max_ms, options_.jitter, random);
      store_.retry_later(delivery.id, now_ms() + static_cast<std::int64_t>(delay), code, result.detail);
      observer_.on_retry(lane.name, delivery.route, code);
      finished = false;
      break;
    }
  }
  if (change != CircuitBreaker::Change::None) observer_.on_breaker(lane.name, change == CircuitBreaker::Change::Opened);
  // Workers waiting for the half-open trial's verdict can look again.
  if (permit.trial) wake(lane, true);
  // The next delivery of this order key is free to go.
  if (finished && !delivery.order_key.empty()) wake(lane, false);
}

}  // namespace suture::host
