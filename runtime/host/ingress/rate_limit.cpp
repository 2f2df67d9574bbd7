// rate_limit.cpp — token buckets (see rate_limit.h).
#include "runtime/host/ingress/rate_limit.h"

#include <algorithm>
#include <cmath>

namespace suture::host {

RateLimiter::RateLimiter(double rate_per_second, double burst)
    : rate_(rate_per_second), burst_(burst > 0 ? burst : std::max(1.0, std::ceil(rate_per_second))) {}

bool RateLimiter::allow(const std::string& key, std::chrono::steady_clock::time_point now) {
  if (rate_ <= 0) return true;
  std::lock_guard lock(mutex_);
  auto [it, fresh] = buckets_.try_emplace(key, Bucket{burst_, now});
  Bucket& b = it->second;
  if (!fresh) {
    double elapsed = std::chrono::duration<double>(now - b.at).count();
    b.tokens = std::min(burst_, b.tokens + elapsed * rate_);
    b.at = now;
  }
  if (b.tokens < 1) return false;
  b.tokens -= 1;
  return true;
}

}  // namespace suture::host
