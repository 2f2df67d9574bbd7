// decimal_value.cpp — reading and writing numbers in abi::Values for the decimal natives.
#include "runtime/natives/decimal_value.h"

#include <string>

#include "runtime/natives/support.h"

namespace suture::runtime::natives {

bool read_number(ExecContext* ctx, const abi::Value& v, Decimal& out) {
  if (v.kind == abi::Kind::Int) {
    out = decimal_from_int(v.integer);
    return true;
  }
  if (v.kind != abi::Kind::Decimal) return ctx->fail("TYPE_MISMATCH", "a number was expected");
  DecimalStatus status = parse_decimal(v.str(), true, out);
  if (status == DecimalStatus::overflow)
    return ctx->fail("DECIMAL_OVERFLOW", "decimal '" + std::string(v.str()) + "' has more than 38 digits");
  if (status != DecimalStatus::ok)
    return ctx->fail("DECIMAL_INVALID", "'" + std::string(v.str()) + "' is not a decimal");
  return true;
}

bool write_decimal(ExecContext* ctx, abi::Value* out, const Decimal& d) {
  return set_copied(ctx, out, abi::Kind::Decimal, format_decimal(d));
}

bool decimal_failure(ExecContext* ctx, DecimalStatus status, const char* operation) {
  switch (status) {
    case DecimalStatus::ok: return true;
    case DecimalStatus::overflow:
      return ctx->fail("DECIMAL_OVERFLOW", std::string(operation) + ": the result needs more than 38 digits");
    case DecimalStatus::division_by_zero:
      return ctx->fail("DIVISION_BY_ZERO", std::string(operation) + ": division by zero");
    case DecimalStatus::syntax: break;
  }
  return ctx->fail("DECIMAL_INVALID", std::string(operation) + ": not a decimal");
}

}  // namespace suture::runtime::natives
