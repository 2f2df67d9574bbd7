// convert.cpp — to_string (canonical text of a scalar), the enum variant of it, the fallible
// parse_int, parse_decimal, parse_bool (parse_date/parse_datetime: dates.cpp) and
// confidentiality (text to the prelude's Confidentiality enum).
//
// Canonical text: ints in decimal; decimals as written (their text); bools `true`/`false`;
// strings, dates, date-times, instants, times and raw JSON as their text; enums their code;
// durations in the largest of d, h, m, s, ms that writes them as a whole number ("7d", "90m",
// "1500ms", "0s"; negative ones with a leading "-").
#include <algorithm>
#include <charconv>
#include <iterator>
#include <string>

#include "runtime/natives/decimal_value.h"
#include "runtime/natives/natives.h"
#include "runtime/natives/support.h"

namespace suture::runtime::natives {
namespace {

using abi::Kind;

std::string duration_text(std::int64_t ms) {
  if (ms == 0) return "0s";
  const bool negative = ms < 0;
  // Magnitude as unsigned so INT64_MIN is safe.
  const std::uint64_t m = negative ? static_cast<std::uint64_t>(-(ms + 1)) + 1 : static_cast<std::uint64_t>(ms);
  static constexpr struct {
    std::uint64_t ms;
    const char* unit;
  } units[] = {{86'400'000, "d"}, {3'600'000, "h"}, {60'000, "m"}, {1000, "s"}, {1, "ms"}};
  for (const auto& u : units)
    if (m % u.ms == 0) return (negative ? "-" : "") + std::to_string(m / u.ms) + u.unit;
  return "";  // unreachable: every value is a whole number of ms
}

bool to_string(ExecContext* ctx, abi::Value* out, const abi::Value& a) {
  switch (a.kind) {
    case Kind::Bool: return set_text(out, Kind::String, a.boolean ? "true" : "false");
    case Kind::Int: return set_string(ctx, out, std::to_string(a.integer));
    case Kind::Duration: return set_string(ctx, out, duration_text(a.integer));
    case Kind::Decimal:
    case Kind::String:
    case Kind::Date:
    case Kind::DateTime:
    case Kind::Time:
    case Kind::Instant:
    case Kind::Json: return set_text(out, Kind::String, a.str());
    case Kind::Enum:
      return ctx->fail("TYPE_MISMATCH", "to_string of an enum needs its descriptor (suture_rt_enum_to_string)");
    default: break;
  }
  return ctx->fail("TYPE_MISMATCH", "to_string takes a scalar");
}

}  // namespace
}  // namespace suture::runtime::natives

using namespace suture::runtime::natives;
using suture::abi::Kind;

extern "C" {

bool suture_rt_to_string(suture_ctx* ctx, suture_value* out, const suture_value* a) {
  return guarded(ctx, [&] { return to_string(ctx, out, *a); });
}

bool suture_rt_enum_to_string(suture_ctx* ctx, suture_value* out, const suture_value* a,
                              const suture_value* enum_index) {
  return guarded(ctx, [&] {
    const suture::abi::EnumDesc* e = ctx->enums != nullptr ? ctx->enums[enum_index->integer] : nullptr;
    if (e == nullptr || a->aux >= e->codes.size())
      return ctx->fail("ENUM_INVALID", "enum member " + std::to_string(a->aux) + " is unknown");
    return set_text(out, Kind::String, e->codes[a->aux]);
  });
}

// One of the six HL7 v3 Confidentiality codes (U L M N R V, exactly, upper case) as a member of
// the prelude's Confidentiality enum, whose descriptor gives the member index; fails on any
// other text. A descriptor that lacks the code is a broken pack, not a failed `T!`.
bool suture_rt_confidentiality(suture_ctx* ctx, suture_value* out, const suture_value* s,
                               const suture_value* enum_index) {
  static constexpr std::string_view kCodes[] = {"U", "L", "M", "N", "R", "V"};
  const std::string_view code = s->str();
  if (std::find(std::begin(kCodes), std::end(kCodes), code) == std::end(kCodes)) return false;
  return guarded(ctx, [&] {
    const suture::abi::EnumDesc* e = ctx->enums != nullptr ? ctx->enums[enum_index->integer] : nullptr;
    const int member = e != nullptr ? e->index_of(code) : -1;
    if (member < 0) return ctx->fail("ENUM_INVALID", "the Confidentiality enum has no member " + std::string(code));
    *out = suture_value{};
    out->kind = Kind::Enum;
    out->aux = static_cast<std::uint32_t>(member);
    return true;
  });
}

// `[+-]?digits`, in int64; anything else (spaces, fractions, overflow) fails.
bool suture_rt_parse_int(suture_ctx*, suture_value* out, const suture_value* s) {
  std::string_view text = s->str();
  const bool plus = !text.empty() && text[0] == '+';
  if (plus) text.remove_prefix(1);
  const std::size_t first_digit = !plus && !text.empty() && text[0] == '-' ? 1 : 0;
  if (text.size() <= first_digit || text[first_digit] < '0' || text[first_digit] > '9') return false;
  std::int64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return false;
  return set_int(out, value);
}

// `[+-]?digits(.digits)?` (no exponent); the result is canonical ("+007.50" → "7.50").
bool suture_rt_parse_decimal(suture_ctx* ctx, suture_value* out, const suture_value* s) {
  return guarded(ctx, [&] {
    Decimal d;
    if (parse_decimal(s->str(), false, d) != DecimalStatus::ok) return false;
    return write_decimal(ctx, out, d);
  });
}

// Exactly `true` or `false`.
bool suture_rt_parse_bool(suture_ctx*, suture_value* out, const suture_value* s) {
  if (s->str() == "true") return set_bool(out, true);
  if (s->str() == "false") return set_bool(out, false);
  return false;
}

}  // extern "C"
