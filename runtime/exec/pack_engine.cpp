// pack_engine.cpp — the JIT a pack needs, and picking its only entry point (see pack_engine.h).
#include "runtime/exec/pack_engine.h"

#include <cstdlib>

namespace suture::runtime {

std::variant<std::unique_ptr<Engine>, std::string> engine_for(const pack::LoadedPack& pack) {
  jit::Options options;
  auto bitcode = pack.manifest.build_info.find("bitcode");
  const bool optimised = bitcode != pack.manifest.build_info.end() && bitcode->second.rfind("optimised", 0) == 0;
  // Optimised bitcode needs neither the IR pipeline nor the slower instruction selection:
  // loading a 10,000-rule policy takes seconds instead of minutes, for a few percent of speed.
  options.optimise_ir = !optimised;
  if (optimised) options.opt_level = 0;
  if (const char* level = std::getenv("SUTURE_JIT_CODEGEN"); level != nullptr && *level != '\0')
    options.opt_level = std::atoi(level);
  return Engine::create(options);
}

std::variant<std::string, std::string> only_entry(const pack::LoadedPack& pack, pack::EntryKind kind) {
  std::string found;
  std::size_t count = 0;
  for (const auto& e : pack.manifest.entry_points)
    if (e.kind == kind) ++count, found = e.name;
  if (count == 1) return std::variant<std::string, std::string>(std::in_place_index<0>, found);
  return std::variant<std::string, std::string>(
      std::in_place_index<1>,
      "the pack has " + std::to_string(count) + " " + std::string(pack::to_string(kind)) + " entry points: name one");
}

std::variant<const pack::EntryPoint*, std::string> find_entry(const pack::LoadedPack& pack, pack::EntryKind kind,
                                                              std::string_view name) {
  std::string names;
  for (const pack::EntryPoint& e : pack.manifest.entry_points) {
    if (e.kind != kind) continue;
    if (e.name == name || e.symbol == name) return &e;
    names += (names.empty() ? "" : ", ") + e.name;
  }
  return "the pack has no " + std::string(pack::to_string(kind)) + " `" + std::string(name) + "`" +
         (names.empty() ? std::string(" (it has none)") : " (it has: " + names + ")");
}

std::variant<EntryPoint, std::string> load_entry(const pack::LoadedPack& pack, Engine& engine,
                                                 const pack::EntryPoint& entry) {
  auto module = engine.load_bitcode_once(pack.bitcode, pack.manifest.content_hash.substr(0, 12));
  if (auto* error = std::get_if<std::string>(&module)) return *error;
  return engine.entry(std::get<jit::ModuleHandle*>(module), entry.symbol);
}

}  // namespace suture::runtime
