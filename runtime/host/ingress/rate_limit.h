// rate_limit.h — token buckets keyed by (listener, principal): a steady rate with a burst,
// refilled from a monotonic clock. A refused message is answered 429 (HTTP) or AR (MLLP).
// Pipeline position: ingress, after authentication, before any rule runs.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>

namespace suture::host {

class RateLimiter {
 public:
  // rate 0 = unlimited; burst 0 = the rate rounded up (at least 1).
  RateLimiter(double rate_per_second, double burst);
  // Takes one token for `key`; false when none is left.
  bool allow(const std::string& key, std::chrono::steady_clock::time_point now = std::chrono::steady_clock::now());
  bool unlimited() const { return rate_ <= 0; }

 private:
  struct Bucket {
    double tokens;
    std::chrono::steady_clock::time_point at;
  };
  double rate_, burst_;
  std::mutex mutex_;
  std::map<std::string, Bucket> buckets_;
};

}  // namespace suture::host
