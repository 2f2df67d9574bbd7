// lower.h — checked mappings → typed IR (ir.h). Names become slots, fields become slot indexes
// in the descriptors the module carries, constants and user functions are inlined (the checker
// has proved there is no recursion), `match` becomes tests, `x in {…}` becomes comparisons, and
// string literals meeting an enum become its member index.
// Pipeline position: after sema (which must have reported no error); before optimise/codegen.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "compiler/diagnostics/diagnostic.h"
#include "compiler/ir/ir.h"
#include "compiler/sema/checker.h"

namespace suture::ir {

// Lowers the given mappings and policies (symbols of kind Mapping or Policy) into one module. What the back end cannot
// compile yet is reported as S5001 at its span; the module is then incomplete and must not be used.
// `result` is what Checker::run() returned for `checker`.
std::unique_ptr<Module> lower_mappings(sema::Checker& checker, const sema::CheckResult& result,
                                       const std::vector<const sema::Symbol*>& mappings, const SourceManager& sources,
                                       DiagnosticSink& diagnostics);

}  // namespace suture::ir
