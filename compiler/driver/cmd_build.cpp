// cmd_build.cpp — `suture build PATH... -o pack.spk [--mapping NAME]... [--emit ir|llvm]`:
// compiles mappings into a rule pack, or prints the typed IR / LLVM IR instead.
#include <fstream>
#include <iostream>

#include "compiler/diagnostics/render.h"
#include "compiler/driver/build_run.h"
#include "compiler/driver/check_run.h"
#include "compiler/driver/commands.h"
#include "compiler/driver/pack_output.h"
#include "compiler/ir/printer.h"

namespace suture::driver {

int run_build(const std::vector<std::string>& args) {
  std::vector<std::string> paths;
  BuildOptions options;
  std::string output, emit;
  std::filesystem::path stdlib = default_stdlib();
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&]() -> const std::string* { return i + 1 < args.size() ? &args[++i] : nullptr; };
    if (a == "-o") {
      const std::string* v = value();
      if (!v) return usage_error("-o needs a pack file name");
      output = *v;
    } else if (a == "--mapping" || a == "--policy") {
      const std::string* v = value();
      if (!v) return usage_error(a + " needs a name");
      options.mappings.push_back(*v);
    } else if (a == "--emit") {
      const std::string* v = value();
      if (!v || (*v != "ir" && *v != "llvm" && *v != "ir-unoptimised"))
        return usage_error("--emit takes ir, ir-unoptimised or llvm");
      emit = *v;
    } else if (a == "--stdlib") {
      const std::string* v = value();
      if (!v) return usage_error("--stdlib needs a folder");
      stdlib = *v;
    } else if (!a.empty() && a[0] == '-') {
      return usage_error("unknown option `" + a + "`");
    } else {
      paths.push_back(a);
    }
  }
  if (paths.empty()) return usage_error("build needs at least one file or folder");
  if (output.empty() && emit.empty()) return usage_error("build needs -o PACK (or --emit ir|llvm to print)");
  if (emit == "ir-unoptimised") options.optimise = false;
  auto run = build_paths(paths, stdlib, options);
  auto diagnostics = run->diagnostics.sorted();
  RenderOptions render;
  render.tool_version = kVersion;
  render_human(std::cerr, diagnostics, run->sources, render);
  if (!run->inputs_ok) return 2;
  if (!run->module) {
    std::cerr << "build failed: " << run->diagnostics.error_count() << " error(s)\n";
    return 1;
  }
  if (emit == "ir" || emit == "ir-unoptimised") std::cout << ir::print(*run->module);
  if (emit == "llvm") std::cout << run->llvm_ir;
  if (output.empty()) return 0;
  return write_pack_file(*run, output) ? 0 : 2;
}

}  // namespace suture::driver
