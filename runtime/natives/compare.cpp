// compare.cpp — the equality and ordering natives (`==`/`!=` on values generated code does not
// compare inline, and `<` `<=` `>` `>=`).
//
// Equality is deep: absent == absent (Absent and Null alike), absent != present; strings and raw
// JSON by bytes; decimals numerically (1.50 == 1.5), also against ints; bools, ints, durations;
// enums by member index; lists element-wise; records slot by slot (same descriptor; unknown
// members are not compared); dates, date-times, instants and times by the ordering rule of
// temporal.h — equal only at the same precision, and date-times with offsets as instants
// (10:00Z == 12:00+02:00). Text that cannot be read as its kind is compared by bytes.
// Ordering: ints and decimals (mixed), strings by code point (bytewise UTF-8), durations, enums
// by member index (the checker orders only `@ordered` enums, by declaration position), and
// dates/date-times/instants/times (temporal.h); an indeterminate order fails with
// INDETERMINATE_COMPARISON.
#include <cstring>

#include "runtime/natives/decimal_value.h"
#include "runtime/natives/natives.h"
#include "runtime/natives/support.h"
#include "runtime/natives/temporal.h"

namespace suture::runtime::natives {
namespace {

using abi::Kind;

bool numeric(Kind k) {
  return k == Kind::Int || k == Kind::Decimal;
}
bool dated(Kind k) {
  return k == Kind::Date || k == Kind::DateTime || k == Kind::Instant;
}

// Decimal text as written, or nullopt when unreadable.
bool as_decimal(const abi::Value& v, Decimal& d) {
  if (v.kind == Kind::Int) {
    d = decimal_from_int(v.integer);
    return true;
  }
  return parse_decimal(v.str(), true, d) == DecimalStatus::ok;
}

bool deep_equal(const abi::Value& a, const abi::Value& b) {
  if (!a.present() || !b.present()) return !a.present() && !b.present();
  if (numeric(a.kind) && numeric(b.kind)) {
    if (a.kind == Kind::Int && b.kind == Kind::Int) return a.integer == b.integer;
    Decimal x, y;
    if (as_decimal(a, x) && as_decimal(b, y)) return decimal_compare(x, y) == 0;
    return a.kind == b.kind && a.str() == b.str();
  }
  if ((dated(a.kind) && dated(b.kind)) || (a.kind == Kind::Time && b.kind == Kind::Time)) {
    auto pa = read_parts(a), pb = read_parts(b);
    if (pa && pb) return compare_temporal(*pa, *pb) == Order::equal;
    return a.str() == b.str();
  }
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case Kind::Bool: return a.boolean == b.boolean;
    case Kind::Duration: return a.integer == b.integer;
    case Kind::Enum: return a.aux == b.aux;
    case Kind::String:
    case Kind::Json: return a.str() == b.str();
    case Kind::List:
      if (a.aux != b.aux) return false;
      for (std::uint32_t i = 0; i < a.aux; ++i)
        if (!deep_equal(a.items[i], b.items[i])) return false;
      return true;
    case Kind::Record: {
      const abi::Record* ra = a.record;
      const abi::Record* rb = b.record;
      if (ra == rb) return true;
      if (ra == nullptr || rb == nullptr || ra->desc != rb->desc || ra->slot_count != rb->slot_count) return false;
      for (std::uint32_t i = 0; i < ra->slot_count; ++i)
        if (!deep_equal(ra->slots[i], rb->slots[i])) return false;
      return true;
    }
    default: return false;
  }
}

int sign(int c) {
  return c < 0 ? -1 : c > 0 ? 1 : 0;
}

bool order(ExecContext* ctx, abi::Value* out, const abi::Value& a, const abi::Value& b) {
  if (a.kind == Kind::Int && b.kind == Kind::Int)
    return set_int(out, a.integer < b.integer ? -1 : a.integer > b.integer);
  if (numeric(a.kind) && numeric(b.kind)) {
    Decimal x, y;
    if (!read_number(ctx, a, x) || !read_number(ctx, b, y)) return false;
    return set_int(out, decimal_compare(x, y));
  }
  if (a.kind == Kind::String && b.kind == Kind::String) {
    const std::string_view x = a.str(), y = b.str();
    const int c = std::memcmp(x.data(), y.data(), std::min(x.size(), y.size()));
    return set_int(out, c != 0 ? sign(c) : x.size() < y.size() ? -1 : x.size() > y.size());
  }
  if (a.kind == Kind::Duration && b.kind == Kind::Duration)
    return set_int(out, a.integer < b.integer ? -1 : a.integer > b.integer);
  if (a.kind == Kind::Enum && b.kind == Kind::Enum) return set_int(out, a.aux < b.aux ? -1 : a.aux > b.aux);
  if ((dated(a.kind) && dated(b.kind)) || (a.kind == Kind::Time && b.kind == Kind::Time)) {
    auto pa = read_parts(a), pb = read_parts(b);
    if (!pa || !pb) return ctx->fail("DATE_INVALID", "a date or time value cannot be read");
    switch (compare_temporal(*pa, *pb)) {
      case Order::less: return set_int(out, -1);
      case Order::equal: return set_int(out, 0);
      case Order::greater: return set_int(out, 1);
      case Order::indeterminate: break;
    }
    return ctx->fail("INDETERMINATE_COMPARISON", "'" + std::string(a.str()) + "' and '" + std::string(b.str()) +
                                                     "' have different precisions and agree as far as both go");
  }
  return ctx->fail("TYPE_MISMATCH", "these values have no order");
}

}  // namespace
}  // namespace suture::runtime::natives

using namespace suture::runtime::natives;

extern "C" {

bool suture_rt_equal(suture_ctx* ctx, suture_value* out, const suture_value* a, const suture_value* b) {
  return guarded(ctx, [&] { return set_bool(out, deep_equal(*a, *b)); });
}

bool suture_rt_compare(suture_ctx* ctx, suture_value* out, const suture_value* a, const suture_value* b) {
  return guarded(ctx, [&] { return order(ctx, out, *a, *b); });
}

}  // extern "C"
