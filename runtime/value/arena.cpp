// arena.cpp — bump allocation in growing blocks.
#include "runtime/value/arena.h"

#include <algorithm>
#include <cstring>

namespace suture::runtime {

void* Arena::allocate(std::size_t size, std::size_t align) {
  if (!blocks_.empty()) {
    Block& last = blocks_.back();
    auto base = reinterpret_cast<std::uintptr_t>(last.memory.get());
    std::size_t aligned = (base + offset_ + align - 1) / align * align - base;
    if (aligned + size <= last.size) {
      offset_ = aligned + size;
      used_ += size;
      return last.memory.get() + aligned;
    }
  }
  std::size_t size_needed = std::max(block_size_, size + align);
  blocks_.push_back({std::make_unique<std::byte[]>(size_needed), size_needed});
  offset_ = 0;
  return allocate(size, align);
}

const char* Arena::copy(const char* data, std::size_t size) {
  auto* out = static_cast<char*>(allocate(size == 0 ? 1 : size, 1));
  if (size != 0) std::memcpy(out, data, size);
  return out;
}

void Arena::reset() {
  if (blocks_.size() > 1) blocks_.erase(blocks_.begin() + 1, blocks_.end());
  offset_ = 0;
  used_ = 0;
}

}  // namespace suture::runtime
