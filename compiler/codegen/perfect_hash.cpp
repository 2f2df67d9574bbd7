// perfect_hash.cpp — the search behind find_perfect_hash (see perfect_hash.h).
#include "compiler/codegen/perfect_hash.h"

#include <set>

#include "runtime/exec/hash.h"

namespace suture::codegen {

PerfectHash find_perfect_hash(const std::vector<std::string>& keys) {
  PerfectHash result;
  const std::uint64_t n = keys.size();
  // Perfect hashes of a useful size exist for small key sets only (the chance of no collision
  // falls fast with n); larger sets use buckets (codegen), so the search stays cheap.
  if (n == 0 || n > kMaxPerfectKeys) return result;
  for (std::uint64_t size = n; size <= 4 * n; ++size) {
    for (std::uint64_t seed = 0; seed < 256; ++seed) {
      std::set<std::uint64_t> used;
      std::vector<std::uint64_t> slots;
      for (const auto& k : keys) {
        std::uint64_t slot = runtime::table_hash(k.data(), k.size(), seed) % size;
        if (!used.insert(slot).second) break;
        slots.push_back(slot);
      }
      if (slots.size() == n) {
        result.found = true;
        result.seed = seed;
        result.size = size;
        result.slot_of = std::move(slots);
        return result;
      }
    }
  }
  return result;
}

}  // namespace suture::codegen
