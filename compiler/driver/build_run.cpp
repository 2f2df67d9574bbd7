// build_run.cpp — check → lower → optimise → codegen for `suture build` (see build_run.h).
#include "compiler/driver/build_run.h"

#include <algorithm>
#include <set>

#include "compiler/codegen/codegen.h"
#include "compiler/ir/lower.h"
#include "compiler/sema/checker.h"
#include "compiler/sema/program.h"

namespace suture::driver {

std::unique_ptr<BuildRun> build_paths(const std::vector<std::string>& paths, const std::filesystem::path& stdlib,
                                      const BuildOptions& options) {
  auto run = std::make_unique<BuildRun>();
  sema::Program program(run->sources, run->diagnostics, stdlib);
  run->inputs_ok = program.add_inputs(paths);
  if (!run->inputs_ok) return run;
  sema::Checker checker(program, run->diagnostics);
  sema::CheckResult checked = checker.run();
  if (run->diagnostics.error_count() > 0) return run;

  std::vector<const sema::Symbol*> mappings, tests, routes;
  std::set<std::string> wanted(options.mappings.begin(), options.mappings.end());
  std::set<std::string> found;
  for (const sema::Symbol& symbol : checker.symbols()) {
    if (options.tests && symbol.kind == sema::SymbolKind::Test && !symbol.module->from_stdlib) tests.push_back(&symbol);
    if (symbol.kind == sema::SymbolKind::Route && !symbol.module->from_stdlib && options.mappings.empty())
      routes.push_back(&symbol);
    bool buildable = symbol.kind == sema::SymbolKind::Mapping || symbol.kind == sema::SymbolKind::Policy;
    if (!buildable || symbol.module->from_stdlib) continue;
    std::string qualified = symbol.module->name + "." + symbol.name;
    if (!wanted.empty() && !wanted.count(symbol.name) && !wanted.count(qualified)) continue;
    found.insert(symbol.name);
    found.insert(qualified);
    mappings.push_back(&symbol);
  }
  for (const std::string& w : options.mappings)
    if (!found.count(w))
      run->diagnostics.report(DiagCode::S5002, Span::none(), "no mapping or policy named `" + w + "` in the inputs")
          .help("`suture build` compiles mappings and policies by name, or qualified as module.name");
  if (mappings.empty() && options.mappings.empty() && !options.tests)
    run->diagnostics.report(DiagCode::S5002, Span::none(), "the inputs declare no mapping or policy to build")
        .help("a pack holds compiled mappings and policies: add one, e.g. `mapping m(p: Patient) -> ResPartner { … }`");
  if (run->diagnostics.error_count() > 0) return run;

  std::vector<const sema::Symbol*> lowered = mappings;
  lowered.insert(lowered.end(), tests.begin(), tests.end());    // tests after the mappings they call
  lowered.insert(lowered.end(), routes.begin(), routes.end());  // routes last: their select entries follow
  auto module = ir::lower_mappings(checker, checked, lowered, run->sources, run->diagnostics);
  if (run->diagnostics.error_count() > 0) return run;
  for (std::size_t i = 0; i < mappings.size(); ++i)
    module->functions[i].symbol = mappings[i]->module->name + "." + mappings[i]->name;
  for (std::size_t i = mappings.size(); i < mappings.size() + tests.size(); ++i)
    module->functions[i].symbol = lowered[i]->module->name + ".test" + std::to_string(i - mappings.size());
  for (sema::ModuleInfo* m : program.modules())
    (m->from_stdlib ? run->schema_modules : run->modules).push_back(m->name);
  if (options.optimise) run->stats = ir::optimise(*module);
  run->llvm_ir = codegen::emit_llvm_ir(*module, run->modules.empty() ? "pack" : run->modules.front());
  run->module = std::move(module);
  return run;
}

std::vector<runtime::PolicyRules> policy_rules(const ir::Module& module) {
  std::vector<runtime::PolicyRules> rules(module.functions.size());
  for (std::size_t i = 0; i < module.functions.size(); ++i)
    for (const ir::PolicyRule& r : module.functions[i].rules) {
      rules[i].labels.push_back(r.label);
      rules[i].kinds.push_back(ir::to_string(r.kind));
    }
  return rules;
}

}  // namespace suture::driver
