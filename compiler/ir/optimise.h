// optimise.h — IR → IR rewrites that keep meaning (the differential test holds them to it):
// constant folding, common field reads hoisted into one binding, and the analysis that tells
// the decoder which fields no rule reads (dead-field elimination).
// Pipeline position: after lower, before codegen.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "compiler/ir/ir.h"

namespace suture::ir {

struct OptimiseStats {
  std::size_t folded = 0;   // nodes replaced by constants
  std::size_t hoisted = 0;  // repeated field chains read once
};

// Folds constants everywhere and hoists repeated field chains rooted at a parameter.
OptimiseStats optimise(Module& module);

// Folds one expression in place (exposed for tests).
void fold(Module& module, ExprPtr& e, OptimiseStats& stats);

// For each record type, which of its fields (by index) a function may read. A record that
// reaches an output, a comparison or a native whole has every field read, recursively.
// Records absent from the map are never read at all.
using FieldsRead = std::map<std::uint32_t, std::vector<bool>>;  // record index → read flags
FieldsRead fields_read(const Module& module, const Function& function);

}  // namespace suture::ir
