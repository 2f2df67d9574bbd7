// printer.h — the typed IR as text: one S-expression per node with its type, one statement per
// line. Deterministic; the golden tests under tests/ir compare it.
#pragma once

#include <string>

#include "compiler/ir/ir.h"

namespace suture::ir {

std::string print(const Expr& expr);
std::string print(const Function& function);
std::string print(const Module& module);  // every function, in order

}  // namespace suture::ir
