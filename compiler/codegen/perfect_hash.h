// perfect_hash.h — finds a seed and a table size under which a `table`'s string keys hash to
// distinct buckets (runtime/exec/hash.h), so a lookup is one hash, one switch, one compare.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace suture::codegen {

struct PerfectHash {
  bool found = false;
  std::uint64_t seed = 0;
  std::uint64_t size = 0;              // buckets: hash % size
  std::vector<std::uint64_t> slot_of;  // per key, its bucket
};

inline constexpr std::size_t kMaxPerfectKeys = 48;

// Tries sizes from n to 4n and a bounded number of seeds; deterministic. Key sets larger than
// kMaxPerfectKeys are not tried (found = false).
PerfectHash find_perfect_hash(const std::vector<std::string>& keys);

}  // namespace suture::codegen
