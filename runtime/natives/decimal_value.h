// decimal_value.h — between abi::Value numbers (Int, or Decimal text) and decimal.h's Decimal,
// with the error codes the natives record (internal to runtime/natives).
#pragma once

#include "runtime/abi/value.h"
#include "runtime/exec/context.h"
#include "runtime/natives/decimal.h"

namespace suture::runtime::natives {

// An Int or a Decimal value as a Decimal; anything else (or unreadable decimal text) fails
// with "DECIMAL_INVALID" / "TYPE_MISMATCH".
bool read_number(ExecContext* ctx, const abi::Value& v, Decimal& out);
// Writes a Kind::Decimal value whose text is in the arena.
bool write_decimal(ExecContext* ctx, abi::Value* out, const Decimal& d);
// Records the failure a non-ok status means ("DECIMAL_OVERFLOW", "DIVISION_BY_ZERO", …).
bool decimal_failure(ExecContext* ctx, DecimalStatus status, const char* operation);

}  // namespace suture::runtime::natives
