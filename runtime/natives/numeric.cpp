// numeric.cpp — the number builtins: abs, round (half-even), floor, ceil, to_decimal. Ints stay
// ints where the signature says `=`; decimals go through decimal.h.
#include "runtime/natives/decimal_value.h"
#include "runtime/natives/natives.h"
#include "runtime/natives/support.h"

using namespace suture::runtime::natives;
using suture::abi::Kind;

extern "C" {

bool suture_rt_abs(suture_ctx* ctx, suture_value* out, const suture_value* n) {
  return guarded(ctx, [&] {
    if (n->kind == Kind::Int) {
      if (n->integer == INT64_MIN) return ctx->fail("INT_OVERFLOW", "abs: the result does not fit in an int");
      return set_int(out, n->integer < 0 ? -n->integer : n->integer);
    }
    Decimal d;
    if (!read_number(ctx, *n, d)) return false;
    d.negative = false;
    return write_decimal(ctx, out, d);
  });
}

bool suture_rt_round(suture_ctx* ctx, suture_value* out, const suture_value* n, const suture_value* places) {
  return guarded(ctx, [&] {
    Decimal d, r;
    if (!read_number(ctx, *n, d)) return false;
    DecimalStatus status = decimal_round(d, places->integer, r);
    if (status != DecimalStatus::ok) return decimal_failure(ctx, status, "round");
    return write_decimal(ctx, out, r);
  });
}

bool suture_rt_floor(suture_ctx* ctx, suture_value* out, const suture_value* n) {
  return guarded(ctx, [&] {
    if (n->kind == Kind::Int) return set_int(out, n->integer);
    Decimal d;
    std::int64_t i = 0;
    if (!read_number(ctx, *n, d)) return false;
    if (decimal_floor(d, i) != DecimalStatus::ok)
      return ctx->fail("INT_OVERFLOW", "floor: the result does not fit in an int");
    return set_int(out, i);
  });
}

bool suture_rt_ceil(suture_ctx* ctx, suture_value* out, const suture_value* n) {
  return guarded(ctx, [&] {
    if (n->kind == Kind::Int) return set_int(out, n->integer);
    Decimal d;
    std::int64_t i = 0;
    if (!read_number(ctx, *n, d)) return false;
    if (decimal_ceil(d, i) != DecimalStatus::ok)
      return ctx->fail("INT_OVERFLOW", "ceil: the result does not fit in an int");
    return set_int(out, i);
  });
}

bool suture_rt_to_decimal(suture_ctx* ctx, suture_value* out, const suture_value* i) {
  return guarded(ctx, [&] {
    Decimal d;
    if (!read_number(ctx, *i, d)) return false;
    return write_decimal(ctx, out, d);
  });
}

}  // extern "C"
