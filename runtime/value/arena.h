// arena.h — the per-message bump allocator. Everything a decoded message points to lives
// here (or in the input text); reset() frees it all at once between messages.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace suture::runtime {

class Arena {
 public:
  explicit Arena(std::size_t block_size = 64 * 1024) : block_size_(block_size) {}
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

  // Uninitialised, aligned memory; never fails except by std::bad_alloc.
  void* allocate(std::size_t size, std::size_t align = alignof(std::max_align_t));
  template <typename T>
  T* make_array(std::size_t n) {
    void* p = allocate(sizeof(T) * (n == 0 ? 1 : n), alignof(T));
    T* items = static_cast<T*>(p);
    for (std::size_t i = 0; i < n; ++i) new (items + i) T();
    return items;
  }
  // Copies bytes into the arena (for decoded text that differs from the input).
  const char* copy(const char* data, std::size_t size);
  // Keeps the first block (so steady-state decoding allocates nothing), frees the rest.
  void reset();
  std::size_t bytes_used() const { return used_; }

 private:
  struct Block {
    std::unique_ptr<std::byte[]> memory;
    std::size_t size;
  };
  std::size_t block_size_;
  std::vector<Block> blocks_;
  std::size_t offset_ = 0;  // in the last block
  std::size_t used_ = 0;
};

}  // namespace suture::runtime
