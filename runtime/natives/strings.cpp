// strings.cpp — the string natives that need no case or regex machinery: length, trim*,
// starts_with, ends_with, contains, split, replace, substring, pad_left/right, join. Lengths
// and positions count Unicode code points; white space is Unicode White_Space (ICU).
#include <unicode/uchar.h>

#include <string>
#include <string_view>

#include "runtime/natives/natives.h"
#include "runtime/natives/support.h"

namespace suture::runtime::natives {
namespace {

using abi::Kind;

bool white(char32_t c) {
  return u_isUWhiteSpace(static_cast<UChar32>(c)) != 0;
}

std::string_view trim_start_of(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    std::size_t next = i;
    if (!white(next_code_point(s, next))) break;
    i = next;
  }
  return s.substr(i);
}

std::string_view trim_end_of(std::string_view s) {
  std::size_t end = s.size();
  while (end > 0) {
    std::size_t start = end - 1;
    while (start > 0 && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80) --start;
    std::size_t i = start;
    if (!white(next_code_point(s, i))) break;
    end = start;
  }
  return s.substr(0, end);
}

constexpr std::int64_t kMaxPadLength = std::int64_t{1} << 24;

// A list of strings in the arena.
abi::Value* make_items(ExecContext* ctx, std::size_t n) {
  return ctx->arena->make_array<abi::Value>(n);
}

bool set_list(abi::Value* out, abi::Value* items, std::size_t n) {
  *out = abi::Value{};
  out->kind = Kind::List;
  out->items = items;
  out->aux = static_cast<std::uint32_t>(n);
  return true;
}

// `s` padded with repetitions of `pad` to `length` code points, on the left or the right.
bool pad(ExecContext* ctx, abi::Value* out, const abi::Value& s, std::int64_t length, std::string_view with,
         bool left) {
  const std::int64_t have = code_point_count(s.str());
  if (have >= length || with.empty()) return set_text(out, Kind::String, s.str());
  if (length > kMaxPadLength) return ctx->fail("STRING_TOO_LONG", "pad length above 16 Mi code points");
  std::string filler;
  std::int64_t missing = length - have;
  const std::int64_t pad_length = code_point_count(with);
  while (missing >= pad_length) filler += with, missing -= pad_length;
  filler += with.substr(0, offset_of_code_point(with, missing));
  return set_string(ctx, out, left ? filler + std::string(s.str()) : std::string(s.str()) + filler);
}

}  // namespace
}  // namespace suture::runtime::natives

using namespace suture::runtime::natives;
using suture::abi::Kind;

extern "C" {

bool suture_rt_length(suture_ctx*, suture_value* out, const suture_value* s) {
  return set_int(out, code_point_count(s->str()));
}

bool suture_rt_trim(suture_ctx*, suture_value* out, const suture_value* s) {
  return set_text(out, Kind::String, trim_end_of(trim_start_of(s->str())));
}

bool suture_rt_trim_start(suture_ctx*, suture_value* out, const suture_value* s) {
  return set_text(out, Kind::String, trim_start_of(s->str()));
}

bool suture_rt_trim_end(suture_ctx*, suture_value* out, const suture_value* s) {
  return set_text(out, Kind::String, trim_end_of(s->str()));
}

bool suture_rt_starts_with(suture_ctx*, suture_value* out, const suture_value* s, const suture_value* prefix) {
  return set_bool(out, s->str().starts_with(prefix->str()));
}

bool suture_rt_ends_with(suture_ctx*, suture_value* out, const suture_value* s, const suture_value* suffix) {
  return set_bool(out, s->str().ends_with(suffix->str()));
}

bool suture_rt_contains(suture_ctx*, suture_value* out, const suture_value* s, const suture_value* part) {
  return set_bool(out, s->str().find(part->str()) != std::string_view::npos);
}

// An empty separator splits into code points ("" gives []); otherwise "" gives [""] and
// adjacent separators give empty parts.
bool suture_rt_split(suture_ctx* ctx, suture_value* out, const suture_value* s, const suture_value* separator) {
  return guarded(ctx, [&] {
    const std::string_view text = s->str(), sep = separator->str();
    if (sep.empty()) {
      suture_value* items = make_items(ctx, static_cast<std::size_t>(code_point_count(text)));
      std::size_t n = 0;
      for (std::size_t i = 0; i < text.size();) {
        std::size_t start = i;
        next_code_point(text, i);
        set_text(&items[n++], Kind::String, text.substr(start, i - start));
      }
      return set_list(out, items, n);
    }
    std::size_t count = 1;
    for (std::size_t at = text.find(sep); at != std::string_view::npos; at = text.find(sep, at + sep.size())) ++count;
    suture_value* items = make_items(ctx, count);
    std::size_t start = 0, n = 0;
    for (std::size_t at = text.find(sep); at != std::string_view::npos; at = text.find(sep, start)) {
      set_text(&items[n++], Kind::String, text.substr(start, at - start));
      start = at + sep.size();
    }
    set_text(&items[n++], Kind::String, text.substr(start));
    return set_list(out, items, n);
  });
}

// Every non-overlapping occurrence, left to right; an empty `from` leaves the string as is.
bool suture_rt_replace(suture_ctx* ctx, suture_value* out, const suture_value* s, const suture_value* from,
                       const suture_value* to) {
  return guarded(ctx, [&] {
    const std::string_view text = s->str(), a = from->str(), b = to->str();
    if (a.empty() || text.find(a) == std::string_view::npos) return set_text(out, Kind::String, text);
    std::string result;
    std::size_t start = 0;
    for (std::size_t at = text.find(a); at != std::string_view::npos; at = text.find(a, start)) {
      result.append(text.substr(start, at - start)).append(b);
      start = at + a.size();
    }
    result.append(text.substr(start));
    return set_string(ctx, out, result);
  });
}

// Code points [start, start + length), clamped to the string: a negative start counts as 0, a
// negative length gives "".
bool suture_rt_substring(suture_ctx*, suture_value* out, const suture_value* s, const suture_value* start,
                         const suture_value* length) {
  const std::string_view text = s->str();
  const std::int64_t from = start->integer < 0 ? 0 : start->integer;
  const std::int64_t count = length->integer < 0 ? 0 : length->integer;
  const std::size_t begin = offset_of_code_point(text, from);
  const std::size_t end = begin + offset_of_code_point(text.substr(begin), count);
  return set_text(out, Kind::String, text.substr(begin, end - begin));
}

// Padded to `length` code points with repetitions of `pad` (the last one cut short); strings
// already that long, or an empty `pad`, are returned unchanged.
bool suture_rt_pad_left(suture_ctx* ctx, suture_value* out, const suture_value* s, const suture_value* length,
                        const suture_value* with) {
  return guarded(ctx, [&] { return pad(ctx, out, *s, length->integer, with->str(), true); });
}

bool suture_rt_pad_right(suture_ctx* ctx, suture_value* out, const suture_value* s, const suture_value* length,
                         const suture_value* with) {
  return guarded(ctx, [&] { return pad(ctx, out, *s, length->integer, with->str(), false); });
}

// Absent elements are skipped.
bool suture_rt_join(suture_ctx* ctx, suture_value* out, const suture_value* list, const suture_value* separator) {
  return guarded(ctx, [&] {
    std::string result;
    bool first = true;
    const std::uint32_t n = list->kind == Kind::List ? list->aux : 0;
    for (std::uint32_t i = 0; i < n; ++i) {
      const suture_value& item = list->items[i];
      if (!item.present()) continue;
      if (!first) result.append(separator->str());
      result.append(item.str());
      first = false;
    }
    return set_string(ctx, out, result);
  });
}

}  // extern "C"
