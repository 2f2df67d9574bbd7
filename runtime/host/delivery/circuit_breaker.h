// circuit_breaker.h — one endpoint's circuit: after `failure_threshold` transient failures in a
// row it opens and nothing is attempted for `cooldown`; then it is half-open and lets exactly
// one trial through, whose success closes it and whose failure opens it for another cooldown.
// An endpoint that is down is then asked once per cooldown instead of once per pending delivery.
// Pipeline position: the dispatcher asks it before each claim and tells it each outcome.
// Thread-safe: an endpoint's workers share one.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>

namespace suture::host {

class CircuitBreaker {
 public:
  using Clock = std::chrono::steady_clock;
  enum class State { Closed, Open, HalfOpen };
  // What an outcome did to the circuit, for whoever reports it. Re-opening after a failed
  // trial is not a change: the circuit was reported open and stays so.
  enum class Change { None, Opened, Closed };

  struct Permit {
    bool allowed = false;
    bool trial = false;               // the half-open circuit's one attempt
    Clock::time_point retry_at = {};  // when refused: when to ask again ({} = when the trial ends)
  };

  // failure_threshold 0: the circuit never opens.
  CircuitBreaker(std::uint32_t failure_threshold, std::chrono::milliseconds cooldown);

  // May an attempt be made now? Every allowed permit ends in exactly one of succeeded(),
  // failed() or abandoned().
  Permit try_acquire(Clock::time_point now);
  // The endpoint answered (delivered, or refused for good: it is up either way).
  Change succeeded(const Permit& permit);
  // A transient failure: counts toward opening (a failed trial re-opens at once).
  Change failed(const Permit& permit, Clock::time_point now);
  // Nothing was attempted with the permit (nothing to claim, the host is stopping).
  void abandoned(const Permit& permit);

  State state(Clock::time_point now) const;

 private:
  const std::uint32_t failure_threshold_;
  const std::chrono::milliseconds cooldown_;
  mutable std::mutex mutex_;
  State state_ = State::Closed;  // Open turns HalfOpen lazily, when asked after open_until_
  std::uint32_t consecutive_failures_ = 0;
  Clock::time_point open_until_ = {};
  bool trial_in_flight_ = false;
};

}  // namespace suture::host
