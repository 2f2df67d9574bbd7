// hash.h — the string hash table lookups in generated code use (perfect hashes for `table`
// code maps). The compiler picks a seed that makes a table's keys collision-free; the runtime
// computes the same function (runtime/exec/glue.cpp), so both must include this one definition.
#pragma once

#include <cstddef>
#include <cstdint>

namespace suture::runtime {

// FNV-1a over the bytes, started from the seed, then mixed (so `% size` uses every bit).
inline std::uint64_t table_hash(const char* data, std::size_t size, std::uint64_t seed) {
  std::uint64_t h = 14695981039346656037ull ^ (seed * 0x9E3779B97F4A7C15ull);
  for (std::size_t i = 0; i < size; ++i) {
    h ^= static_cast<unsigned char>(data[i]);
    h *= 1099511628211ull;
  }
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  return h;
}

}  // namespace suture::runtime
