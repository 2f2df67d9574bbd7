// token_bucket.h — an endpoint's rate limit: `rate_per_second` tokens a second, at most `burst`
// saved up. A caller takes a token before each attempt and is told how long to wait for it;
// tokens may be owed, so concurrent callers line up in time instead of all polling.
// Pipeline position: the dispatcher takes a token before each claim. Thread-safe.
#pragma once

#include <chrono>
#include <mutex>

namespace suture::host {

class TokenBucket {
 public:
  using Clock = std::chrono::steady_clock;

  // rate_per_second <= 0: unlimited. burst <= 0: one second's worth (at least one token).
  explicit TokenBucket(double rate_per_second, double burst = 0);

  // Takes a token: how long to wait before using it (zero when one was there).
  Clock::duration take(Clock::time_point now);
  // Returns a token taken but not used (there was nothing to send).
  void give_back();

  bool unlimited() const { return rate_ <= 0; }

 private:
  void refill(Clock::time_point now);

  const double rate_;
  const double burst_;
  std::mutex mutex_;
  double tokens_;
  Clock::time_point refilled_at_ = {};
};

}  // namespace suture::host
