// backoff.h — how long a delivery waits after a transient failure: exponential in the attempt
// number (first * 2^(attempt-1)), capped, with full jitter so that many deliveries failing
// together (an endpoint restarting) do not all come back at the same moment.
// Pipeline position: the dispatcher calls it for each Transient outcome it will retry.
#pragma once

#include <cstdint>
#include <random>

namespace suture::host {

enum class Jitter {
  None,  // exactly the ceiling: for tests and for reading a schedule
  Full,  // uniform in [0, ceiling]
};

// first_ms * 2^(attempt-1), at most max_ms; attempt 0 counts as 1. Never overflows.
std::uint64_t backoff_ceiling_ms(std::uint32_t attempt, std::uint32_t first_ms, std::uint32_t max_ms);

// The wait after failed attempt number `attempt`. With Full jitter the draw comes from `random`,
// so a seeded generator gives the same schedule on every platform.
std::uint64_t backoff_delay_ms(std::uint32_t attempt, std::uint32_t first_ms, std::uint32_t max_ms, Jitter jitter,
                               std::mt19937_64& random);

}  // namespace suture::host
