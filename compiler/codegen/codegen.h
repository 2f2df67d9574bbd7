// codegen.h — typed IR → LLVM IR (text), against the runtime ABI (runtime/abi/value.h) and the
// calling convention of runtime/exec/context.h. Every IR value is one 16-byte abi::Value in a
// stack slot (SROA turns them into registers); field reads are loads at 24 + 16·slot; ints,
// bools, enums, string equality, collection loops and table lookups are inline; everything else
// calls a runtime native. Deterministic: the same module gives the same text.
// Pipeline position: after optimise; its output goes into the pack as bitcode.
#pragma once

#include <string>
#include <vector>

#include "compiler/ir/ir.h"

namespace suture::codegen {

// One function per ir::Function, named by Function::symbol:
//   define i32 @<symbol>(ptr %ctx, ptr %out, ptr %in)   ; %in: the parameters, one Value each
std::string emit_llvm_ir(const ir::Module& module, const std::string& module_name);

// The runtime functions generated code may call besides the natives (runtime/exec/glue.cpp).
const std::vector<std::string>& glue_symbols();

}  // namespace suture::codegen
