// bytes.h — little-endian integers, LEB128 varints and length-prefixed strings, written into a
// std::string and read back with bounds checks (internal to runtime/pack). The reader never
// reads past its end: a failed read sets `ok = false` and returns zero / empty.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace suture::pack {

class ByteWriter {
 public:
  explicit ByteWriter(std::string& out) : out_(out) {}
  void u8(std::uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void u32(std::uint32_t v) { fixed(v, 4); }
  void u64(std::uint64_t v) { fixed(v, 8); }
  void varint(std::uint64_t v) {
    while (v >= 0x80) {
      u8(static_cast<std::uint8_t>(v | 0x80));
      v >>= 7;
    }
    u8(static_cast<std::uint8_t>(v));
  }
  void str(std::string_view s) {
    varint(s.size());
    out_.append(s);
  }

 private:
  void fixed(std::uint64_t v, int bytes) {
    for (int i = 0; i < bytes; ++i) out_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  }
  std::string& out_;
};

class ByteReader {
 public:
  explicit ByteReader(std::string_view in) : in_(in) {}
  bool ok = true;

  std::size_t remaining() const { return in_.size() - pos_; }
  bool at_end() const { return pos_ == in_.size(); }

  std::uint8_t u8() {
    if (!need(1)) return 0;
    return static_cast<std::uint8_t>(in_[pos_++]);
  }
  std::uint32_t u32() { return static_cast<std::uint32_t>(fixed(4)); }
  std::uint64_t u64() { return fixed(8); }
  std::uint64_t varint() {
    std::uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      std::uint8_t b = u8();
      if (!ok) return 0;
      v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) return v;
    }
    ok = false;  // more than 10 bytes: not a varint we wrote
    return 0;
  }
  std::string_view str() {
    std::uint64_t n = varint();
    if (!ok || !need(n)) return {};
    std::string_view s = in_.substr(pos_, n);
    pos_ += n;
    return s;
  }
  std::string_view rest() {
    std::string_view s = in_.substr(pos_);
    pos_ = in_.size();
    return s;
  }

 private:
  bool need(std::uint64_t n) {
    if (ok && n <= remaining()) return true;
    ok = false;
    return false;
  }
  std::uint64_t fixed(int bytes) {
    if (!need(bytes)) return 0;
    std::uint64_t v = 0;
    for (int i = 0; i < bytes; ++i)
      v |= static_cast<std::uint64_t>(static_cast<std::uint8_t>(in_[pos_ + i])) << (8 * i);
    pos_ += bytes;
    return v;
  }
  std::string_view in_;
  std::size_t pos_ = 0;
};

// Reads a little-endian integer at a known-valid offset.
inline std::uint64_t load_le(std::string_view bytes, std::size_t offset, int size) {
  std::uint64_t v = 0;
  for (int i = 0; i < size; ++i)
    v |= static_cast<std::uint64_t>(static_cast<std::uint8_t>(bytes[offset + i])) << (8 * i);
  return v;
}

}  // namespace suture::pack
