// circuit_breaker.cpp — closed, open, half-open (see circuit_breaker.h).
#include "runtime/host/delivery/circuit_breaker.h"

namespace suture::host {

CircuitBreaker::CircuitBreaker(std::uint32_t failure_threshold, std::chrono::milliseconds cooldown)
    : failure_threshold_(failure_threshold), cooldown_(cooldown) {}

CircuitBreaker::Permit CircuitBreaker::try_acquire(Clock::time_point now) {
  std::lock_guard lock(mutex_);
  if (state_ == State::Closed) return {true, false, {}};
  if (state_ == State::Open) {
    if (now < open_until_) return {false, false, open_until_};
    state_ = State::HalfOpen;
  }
  if (trial_in_flight_) return {false, false, {}};
  trial_in_flight_ = true;
  return {true, true, {}};
}

CircuitBreaker::Change CircuitBreaker::succeeded(const Permit& permit) {
  std::lock_guard lock(mutex_);
  if (permit.trial) {
    trial_in_flight_ = false;
    state_ = State::Closed;
    consecutive_failures_ = 0;
    return Change::Closed;
  }
  // An attempt begun before the circuit opened says nothing about it now.
  if (state_ == State::Closed) consecutive_failures_ = 0;
  return Change::None;
}

CircuitBreaker::Change CircuitBreaker::failed(const Permit& permit, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  if (permit.trial) {
    trial_in_flight_ = false;
    state_ = State::Open;
    open_until_ = now + cooldown_;
    return Change::None;
  }
  if (state_ != State::Closed || failure_threshold_ == 0) return Change::None;
  if (++consecutive_failures_ < failure_threshold_) return Change::None;
  state_ = State::Open;
  open_until_ = now + cooldown_;
  return Change::Opened;
}

void CircuitBreaker::abandoned(const Permit& permit) {
  if (!permit.trial) return;
  std::lock_guard lock(mutex_);
  trial_in_flight_ = false;  // still half-open: the next caller gets the trial
}

CircuitBreaker::State CircuitBreaker::state(Clock::time_point now) const {
  std::lock_guard lock(mutex_);
  if (state_ == State::Open && now >= open_until_) return State::HalfOpen;
  return state_;
}

}  // namespace suture::host
