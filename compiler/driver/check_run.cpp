// check_run.cpp — wires the phases together for one check: Program (parse) → Checker.
#include "compiler/driver/check_run.h"

#include <cstdlib>

#include "compiler/sema/checker.h"
#include "compiler/sema/program.h"

namespace suture::driver {

std::filesystem::path default_stdlib() {
  if (const char* env = std::getenv("SUTURE_STDLIB"); env != nullptr && *env != '\0') return env;
  return SUTURE_STDLIB_DIR;
}

namespace {

void finish(CheckRun& run, sema::Program& program) {
  sema::Checker checker(program, run.diagnostics);
  auto result = checker.run();
  run.files = run.sources.size();
  run.declarations = result.declarations_checked;
}

}  // namespace

std::unique_ptr<CheckRun> check_paths(const std::vector<std::string>& paths, const std::filesystem::path& stdlib) {
  auto run = std::make_unique<CheckRun>();
  sema::Program program(run->sources, run->diagnostics, stdlib);
  run->inputs_ok = program.add_inputs(paths);
  if (!run->inputs_ok) return run;
  finish(*run, program);
  return run;
}

std::unique_ptr<CheckRun> check_text(const std::string& name, const std::string& text,
                                     const std::filesystem::path& stdlib) {
  auto run = std::make_unique<CheckRun>();
  sema::Program program(run->sources, run->diagnostics, stdlib);
  program.add_text(name, text);
  finish(*run, program);
  return run;
}

}  // namespace suture::driver
