// arithmetic.cpp — the operator natives + - * / % and unary -: ints with overflow checks
// (INT_OVERFLOW), exact decimals (int with decimal gives decimal; `/` always gives a decimal),
// durations, and dates / date-times / instants / times moved by durations or subtracted into
// durations (temporal.h). `/` and `%` by zero return false without an error (they are
// fallible); `%` takes the sign of the dividend.
#include <string>

#include "runtime/natives/decimal_value.h"
#include "runtime/natives/natives.h"
#include "runtime/natives/support.h"
#include "runtime/natives/temporal.h"

namespace suture::runtime::natives {
namespace {

using abi::Kind;
using abi::Precision;

bool numeric(const abi::Value& v) {
  return v.kind == Kind::Int || v.kind == Kind::Decimal;
}
bool temporal(const abi::Value& v) {
  return v.kind == Kind::Date || v.kind == Kind::DateTime || v.kind == Kind::Instant || v.kind == Kind::Time;
}

bool int_overflow(ExecContext* ctx, const char* op) {
  return ctx->fail("INT_OVERFLOW", std::string(op) + ": the result does not fit in an int");
}

bool type_mismatch(ExecContext* ctx, const char* op) {
  return ctx->fail("TYPE_MISMATCH", std::string(op) + " does not apply to these operands");
}

using DecimalOp = DecimalStatus (*)(const Decimal&, const Decimal&, Decimal&);

bool decimal_op(ExecContext* ctx, abi::Value* out, const abi::Value& a, const abi::Value& b, DecimalOp op,
                const char* name) {
  Decimal x, y, r;
  if (!read_number(ctx, a, x) || !read_number(ctx, b, y)) return false;
  DecimalStatus status = op(x, y, r);
  if (status != DecimalStatus::ok) return decimal_failure(ctx, status, name);
  return write_decimal(ctx, out, r);
}

// A date/time value moved by `ms`.
bool shift(ExecContext* ctx, abi::Value* out, const abi::Value& t, std::int64_t ms) {
  auto parts = read_parts(t);
  if (!parts) return ctx->fail("DATE_INVALID", "'" + std::string(t.str()) + "' is not a date or time");
  Precision precision = Precision::None;
  std::string text = shift_temporal(t.kind, *parts, t.str(), ms, precision);
  set_string(ctx, out, text);
  out->kind = t.kind;
  out->precision = precision;
  out->flags = t.flags;
  return true;
}

// a - b between two dates or date-times, as a duration.
bool difference(ExecContext* ctx, abi::Value* out, const abi::Value& a, const abi::Value& b) {
  auto pa = read_parts(a), pb = read_parts(b);
  if (!pa || !pb) return ctx->fail("DATE_INVALID", "a date or date-time cannot be read");
  if (pa->precision < Precision::Day || pb->precision < Precision::Day)
    return ctx->fail("DATE_PRECISION", "subtracting dates needs both to have a day");
  std::int64_t ms = 0;
  if (__builtin_sub_overflow(utc_millis(*pa), utc_millis(*pb), &ms)) return int_overflow(ctx, "-");
  return set_duration(out, ms);
}

bool add_or_sub(ExecContext* ctx, abi::Value* out, const abi::Value& a, const abi::Value& b, bool add) {
  const char* name = add ? "+" : "-";
  if (a.kind == Kind::Int && b.kind == Kind::Int) {
    std::int64_t r = 0;
    if (add ? __builtin_add_overflow(a.integer, b.integer, &r) : __builtin_sub_overflow(a.integer, b.integer, &r))
      return int_overflow(ctx, name);
    return set_int(out, r);
  }
  if (numeric(a) && numeric(b)) return decimal_op(ctx, out, a, b, add ? decimal_add : decimal_sub, name);
  if (a.kind == Kind::Duration && b.kind == Kind::Duration) {
    std::int64_t r = 0;
    if (add ? __builtin_add_overflow(a.integer, b.integer, &r) : __builtin_sub_overflow(a.integer, b.integer, &r))
      return int_overflow(ctx, name);
    return set_duration(out, r);
  }
  if (temporal(a) && b.kind == Kind::Duration) {
    if (!add && b.integer == INT64_MIN) return int_overflow(ctx, name);
    return shift(ctx, out, a, add ? b.integer : -b.integer);
  }
  if (!add && temporal(a) && temporal(b) && a.kind != Kind::Time && b.kind != Kind::Time)
    return difference(ctx, out, a, b);
  return type_mismatch(ctx, name);
}

bool multiply(ExecContext* ctx, abi::Value* out, const abi::Value& a, const abi::Value& b) {
  if ((a.kind == Kind::Int || a.kind == Kind::Duration) && b.kind == Kind::Int) {
    std::int64_t r = 0;
    if (__builtin_mul_overflow(a.integer, b.integer, &r)) return int_overflow(ctx, "*");
    return a.kind == Kind::Int ? set_int(out, r) : set_duration(out, r);
  }
  if (a.kind == Kind::Int && b.kind == Kind::Duration) return multiply(ctx, out, b, a);
  if (numeric(a) && numeric(b)) return decimal_op(ctx, out, a, b, decimal_mul, "*");
  return type_mismatch(ctx, "*");
}

bool zero(const abi::Value& v) {
  if (v.kind == Kind::Int) return v.integer == 0;
  Decimal d;
  return v.kind == Kind::Decimal && parse_decimal(v.str(), true, d) == DecimalStatus::ok && d.is_zero();
}

}  // namespace
}  // namespace suture::runtime::natives

using namespace suture::runtime::natives;
using suture::abi::Kind;

extern "C" {

bool suture_rt_add(suture_ctx* ctx, suture_value* out, const suture_value* a, const suture_value* b) {
  return guarded(ctx, [&] { return add_or_sub(ctx, out, *a, *b, true); });
}

bool suture_rt_sub(suture_ctx* ctx, suture_value* out, const suture_value* a, const suture_value* b) {
  return guarded(ctx, [&] { return add_or_sub(ctx, out, *a, *b, false); });
}

bool suture_rt_mul(suture_ctx* ctx, suture_value* out, const suture_value* a, const suture_value* b) {
  return guarded(ctx, [&] { return multiply(ctx, out, *a, *b); });
}

bool suture_rt_div(suture_ctx* ctx, suture_value* out, const suture_value* a, const suture_value* b) {
  return guarded(ctx, [&] {
    if (numeric(*b) && zero(*b)) return false;
    if (!numeric(*a) || !numeric(*b)) return ctx->fail("TYPE_MISMATCH", "/ takes numbers");
    return decimal_op(ctx, out, *a, *b, decimal_div, "/");
  });
}

bool suture_rt_mod(suture_ctx* ctx, suture_value* out, const suture_value* a, const suture_value* b) {
  return guarded(ctx, [&] {
    if (numeric(*b) && zero(*b)) return false;
    if (a->kind == Kind::Int && b->kind == Kind::Int)
      return set_int(out, b->integer == -1 ? 0 : a->integer % b->integer);
    if (!numeric(*a) || !numeric(*b)) return ctx->fail("TYPE_MISMATCH", "% takes numbers");
    return decimal_op(ctx, out, *a, *b, decimal_rem, "%");
  });
}

bool suture_rt_negate(suture_ctx* ctx, suture_value* out, const suture_value* a) {
  return guarded(ctx, [&] {
    if (a->kind == Kind::Int || a->kind == Kind::Duration) {
      if (a->integer == INT64_MIN) return int_overflow(ctx, "-");
      set_int(out, -a->integer);
      out->kind = a->kind;
      return true;
    }
    Decimal d;
    if (!read_number(ctx, *a, d)) return false;
    d.negative = !d.negative && !d.is_zero();
    return write_decimal(ctx, out, d);
  });
}

}  // extern "C"
