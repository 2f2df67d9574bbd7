// build_run.h — one `suture build` as a library call: specs in, a checked, lowered, optimised
// module and its LLVM IR out (the CLI writes them into a pack). Shared by the CLI and tests.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "compiler/diagnostics/diagnostic.h"
#include "compiler/ir/ir.h"
#include "compiler/ir/optimise.h"
#include "compiler/source/source.h"
#include "runtime/exec/context.h"

namespace suture::driver {

struct BuildOptions {
  std::vector<std::string> mappings;  // names (or module.name) to build; empty: every mapping
  bool optimise = true;
  bool tests = false;  // also lower `test` blocks (for `suture test`; packs hold no tests)
};

struct BuildRun {
  SourceManager sources;
  DiagnosticSink diagnostics;
  bool inputs_ok = true;
  std::unique_ptr<ir::Module> module;       // set when there were no errors
  std::vector<std::string> modules;         // the user's modules compiled (for the manifest)
  std::vector<std::string> schema_modules;  // standard-library modules they use
  ir::OptimiseStats stats;
  std::string llvm_ir;
};

// Each function's policy rules by label and kind (empty for non-policies), for the context of
// tests that call policies (ExecContext::policy_rules).
std::vector<runtime::PolicyRules> policy_rules(const ir::Module& module);

std::unique_ptr<BuildRun> build_paths(const std::vector<std::string>& paths, const std::filesystem::path& stdlib,
                                      const BuildOptions& options);

}  // namespace suture::driver
