// token_bucket.cpp — the rate limit (see token_bucket.h).
#include "runtime/host/delivery/token_bucket.h"

#include <algorithm>
#include <cmath>

namespace suture::host {

TokenBucket::TokenBucket(double rate_per_second, double burst)
    : rate_(rate_per_second), burst_(burst > 0 ? burst : std::max(1.0, std::ceil(rate_per_second))), tokens_(burst_) {}

void TokenBucket::refill(Clock::time_point now) {
  if (refilled_at_ == Clock::time_point{}) refilled_at_ = now;
  if (now <= refilled_at_) return;
  const double seconds = std::chrono::duration<double>(now - refilled_at_).count();
  tokens_ = std::min(burst_, tokens_ + seconds * rate_);
  refilled_at_ = now;
}

TokenBucket::Clock::duration TokenBucket::take(Clock::time_point now) {
  if (unlimited()) return Clock::duration::zero();
  std::lock_guard lock(mutex_);
  refill(now);
  tokens_ -= 1;
  if (tokens_ >= 0) return Clock::duration::zero();
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(-tokens_ / rate_));
}

void TokenBucket::give_back() {
  if (unlimited()) return;
  std::lock_guard lock(mutex_);
  tokens_ = std::min(burst_, tokens_ + 1);
}

}  // namespace suture::host
