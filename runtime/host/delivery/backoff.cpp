// backoff.cpp — the retry schedule (see backoff.h).
#include "runtime/host/delivery/backoff.h"

#include <algorithm>

namespace suture::host {

std::uint64_t backoff_ceiling_ms(std::uint32_t attempt, std::uint32_t first_ms, std::uint32_t max_ms) {
  const std::uint32_t doublings = attempt <= 1 ? 0 : attempt - 1;
  // first_ms < 2^32, so 31 doublings still fit in 64 bits; past that it is max_ms anyway.
  const std::uint64_t grown = doublings >= 31 ? UINT64_MAX : std::uint64_t{first_ms} << doublings;
  return std::min<std::uint64_t>(grown, max_ms);
}

std::uint64_t backoff_delay_ms(std::uint32_t attempt, std::uint32_t first_ms, std::uint32_t max_ms, Jitter jitter,
                               std::mt19937_64& random) {
  const std::uint64_t ceiling = backoff_ceiling_ms(attempt, first_ms, max_ms);
  if (jitter == Jitter::None || ceiling == 0) return ceiling;
  // Not std::uniform_int_distribution: its algorithm differs between standard libraries, and the
  // schedule should not. The modulo bias over a 64-bit draw is far below a millisecond's worth.
  return random() % (ceiling + 1);
}

}  // namespace suture::host
