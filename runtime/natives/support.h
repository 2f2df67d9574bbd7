// support.h — what every native shares (internal to runtime/natives): writing results into
// an abi::Value, arena strings, UTF-8 stepping, and the guard that keeps C++ exceptions from
// crossing the C ABI into generated code.
#pragma once

#include <cstdint>
#include <cstring>
#include <new>
#include <string_view>

#include "runtime/abi/value.h"
#include "runtime/exec/context.h"

namespace suture::runtime::natives {

inline bool set_bool(abi::Value* out, bool b) {
  *out = abi::Value{};
  out->kind = abi::Kind::Bool;
  out->boolean = b;
  return true;
}

inline bool set_int(abi::Value* out, std::int64_t i) {
  *out = abi::Value{};
  out->kind = abi::Kind::Int;
  out->integer = i;
  return true;
}

inline bool set_duration(abi::Value* out, std::int64_t ms) {
  set_int(out, ms);
  out->kind = abi::Kind::Duration;
  return true;
}

// A text-bearing value pointing at `text`, which must outlive the message (arena or input).
inline bool set_text(abi::Value* out, abi::Kind kind, std::string_view text) {
  *out = abi::Value{};
  out->kind = kind;
  out->text = text.data();
  out->aux = static_cast<std::uint32_t>(text.size());
  return true;
}

// Copies `text` into the arena first.
inline bool set_copied(ExecContext* ctx, abi::Value* out, abi::Kind kind, std::string_view text) {
  return set_text(out, kind, {ctx->arena->copy(text.data(), text.size()), text.size()});
}

inline bool set_string(ExecContext* ctx, abi::Value* out, std::string_view text) {
  return set_copied(ctx, out, abi::Kind::String, text);
}

// Number of bytes of the UTF-8 sequence starting with `lead` (1 for stray bytes, so malformed
// input is stepped over byte by byte instead of overrunning).
inline std::size_t utf8_width(unsigned char lead) {
  if (lead < 0x80) return 1;
  if ((lead & 0xE0) == 0xC0) return 2;
  if ((lead & 0xF0) == 0xE0) return 3;
  if ((lead & 0xF8) == 0xF0) return 4;
  return 1;
}

// Decodes the code point at s[i] and advances i (U+FFFD for malformed input).
inline char32_t next_code_point(std::string_view s, std::size_t& i) {
  const unsigned char lead = static_cast<unsigned char>(s[i]);
  std::size_t width = utf8_width(lead);
  if (i + width > s.size()) width = 1;
  char32_t c = 0;
  switch (width) {
    case 1: c = lead < 0x80 ? lead : 0xFFFD; break;
    case 2: c = lead & 0x1F; break;
    case 3: c = lead & 0x0F; break;
    default: c = lead & 0x07; break;
  }
  for (std::size_t k = 1; k < width; ++k) c = (c << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  i += width;
  return c;
}

// Byte offset of the code point numbered `n` (or s.size() when there are fewer).
inline std::size_t offset_of_code_point(std::string_view s, std::int64_t n) {
  std::size_t i = 0;
  for (std::int64_t k = 0; k < n && i < s.size(); ++k) {
    std::size_t width = utf8_width(static_cast<unsigned char>(s[i]));
    i = i + width > s.size() ? s.size() : i + width;
  }
  return i;
}

inline std::int64_t code_point_count(std::string_view s) {
  std::int64_t n = 0;
  for (char c : s)
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  return n;
}

// Runs `body` (returning bool); an exception becomes a recorded failure instead of unwinding
// through JIT-compiled frames, which have no unwind tables for it.
template <typename Body>
bool guarded(ExecContext* ctx, Body&& body) noexcept {
  try {
    return body();
  } catch (const std::bad_alloc&) {
    return ctx->fail("OUT_OF_MEMORY", "the message arena could not grow");
  } catch (...) {
    return ctx->fail("NATIVE_ERROR", "a runtime function failed unexpectedly");
  }
}

}  // namespace suture::runtime::natives
