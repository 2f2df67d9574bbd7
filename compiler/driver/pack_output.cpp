// pack_output.cpp — a built module → a rule pack file: entry points with their types and wire
// formats, the schema modules used, the source map, the descriptors, and the bitcode.
#include "compiler/driver/pack_output.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <variant>

#include "compiler/driver/commands.h"
#include "runtime/jit/jit.h"
#include "runtime/pack/pack.h"

namespace suture::driver {
namespace {

// Packs carry bitcode already through LLVM's -O2 pipeline: loading then only generates code.
constexpr int kBitcodeOptLevel = 2;

}  // namespace

bool write_pack_file(const BuildRun& run, const std::string& path) {
  const ir::Module& module = *run.module;
  auto bitcode = runtime::jit::optimise_to_bitcode(run.llvm_ir, kBitcodeOptLevel);
  if (auto* error = std::get_if<runtime::jit::JitError>(&bitcode)) {
    std::cerr << "suture: internal error: the generated LLVM IR does not verify: " << error->message << "\n";
    return false;
  }
  pack::PackContents contents;
  contents.manifest.compiler_version = std::string("suture ") + kVersion;
  contents.manifest.schemas = run.schema_modules;
  contents.manifest.routes = module.routes;
  for (const ir::Function& f : module.functions) {
    pack::EntryPoint entry;
    entry.name = f.name;
    entry.kind = f.policy ? pack::EntryKind::Policy : f.route ? pack::EntryKind::Route : pack::EntryKind::Mapping;
    entry.param_names = f.param_names;
    for (const ir::PolicyRule& r : f.rules)
      entry.rules.push_back({r.label, ir::to_string(r.kind), r.json_path, r.source});
    entry.symbol = f.symbol;
    for (const ir::Type* p : f.params) entry.param_types.push_back(ir::display(p));
    entry.result_type = ir::display(f.result);
    entry.input_format = f.params.empty() ? pack::DataFormat::None : ir::wire_format(f.params[0]);
    entry.output_format = f.policy || f.route ? pack::DataFormat::None : ir::wire_format(f.result);
    for (const auto& [record, flags] : ir::fields_read(module, f)) {
      pack::FieldsRead read;
      read.record = record;
      for (std::uint32_t i = 0; i < flags.size(); ++i)
        if (flags[i]) read.fields.push_back(i);
      entry.fields_read.push_back(std::move(read));
    }
    contents.manifest.entry_points.push_back(std::move(entry));
  }
  for (std::uint32_t i = 1; i < module.sources.size(); ++i)
    contents.manifest.source_map.push_back(
        {i, module.sources[i].file, module.sources[i].line, module.sources[i].column, std::nullopt});
  contents.manifest.build_info["bitcode"] = "optimised O" + std::to_string(kBitcodeOptLevel);
  contents.manifest.build_info["modules"] = [&] {
    std::string joined;
    for (const auto& m : run.modules) joined += (joined.empty() ? "" : ",") + m;
    return joined;
  }();
  contents.schemas = &module.schemas;
  contents.bitcode = std::move(std::get<std::string>(bitcode));
  std::string bytes = pack::write_pack(contents);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  const int open_errno = errno;
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) {
    std::error_code ec;
    const auto folder = std::filesystem::path(path).parent_path();
    std::string why = !folder.empty() && !std::filesystem::is_directory(folder, ec)
                          ? "the folder " + folder.string() + " does not exist (create it first)"
                          : std::strerror(open_errno);
    std::cerr << "suture: cannot write " << path << ": " << why << "\n";
    return false;
  }
  std::size_t policies = 0, selects = 0;
  for (const ir::Function& f : module.functions) {
    policies += f.policy ? 1 : 0;
    selects += f.route ? 1 : 0;
  }
  std::cerr << "built " << path << ": " << module.functions.size() - policies - selects << " mapping(s), " << policies
            << " polic" << (policies == 1 ? "y" : "ies") << ", " << module.routes.size() << " route(s), "
            << bytes.size() << " bytes\n";
  return true;
}

}  // namespace suture::driver
