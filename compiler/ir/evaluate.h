// evaluate.h — the reference evaluator: the slow, obviously correct definition of what a typed
// IR function means. A direct recursive interpreter over ir::Expr / ir::Stmt with one
// environment of slots; it builds the output Record in ctx.arena exactly as the generated
// entry point would. Differential tests run both on random programs and messages
// (tests/diff) and compare outputs and rejections.
// Pipeline position: beside codegen, after lower/optimise; used by tests only.
//
// Independence: the core (constants, locals, control flow, Bool/Int/Enum/String comparisons,
// Int arithmetic, string and list concatenation, tables, every collection operation) is
// defined here in plain C++. Only what the language delegates to the standard library — Call
// of a standard function, and operators on Decimal, dates, times and durations — goes through
// the natives, looked up by name in runtime/natives native_symbols(), so a differential test
// shares nothing with the generated code but those library functions.
#pragma once

#include <vector>

#include "compiler/ir/ir.h"
#include "runtime/abi/value.h"
#include "runtime/exec/context.h"

namespace suture::ir {

// Runs `f` of `m` on `args` (one Value per parameter, slots 0..n-1). The outcome contract is
// the generated entry point's (`int32_t f(ExecContext*, Value* out, const Value* in)`):
//  - true: `out` is a Kind::Record value built in ctx.arena (desc = ctx.records[result index]);
//  - false: the message is rejected and ctx.error says why (`fail(…)`, INT_OVERFLOW, a native
//    that rejects, OUT_OF_MEMORY).
// ctx.arena and ctx.records (and ctx.enums for enum constants) must be set; ctx must not hold a
// failure already (the first failure wins, so an earlier one would mask this run's).
bool evaluate(const Function& f, const Module& m, runtime::ExecContext& ctx, const std::vector<abi::Value>& args,
              abi::Value& out);

}  // namespace suture::ir
