// engine.cpp — the JIT with every runtime symbol generated code may call (see engine.h).
#include "runtime/exec/engine.h"

#include "runtime/exec/glue.h"
#include "runtime/natives/natives.h"

namespace suture::runtime {

SchemaTables::SchemaTables(const abi::SchemaSet& schemas) {
  for (const auto& r : schemas.records()) records.push_back(&r);
  for (const auto& e : schemas.enums()) enums.push_back(&e);
}

std::variant<std::unique_ptr<Engine>, std::string> Engine::create(const jit::Options& options) {
  auto made = jit::Jit::create(options);
  if (auto* error = std::get_if<jit::JitError>(&made)) return error->message;
  auto jit = std::move(std::get<std::unique_ptr<jit::Jit>>(made));
  for (const auto& symbol : natives::native_symbols())
    if (auto error = jit->define_runtime_symbol(symbol.name, symbol.address)) return error->message;
  for (const auto& symbol : glue_symbols())
    if (auto error = jit->define_runtime_symbol(symbol.name, symbol.address)) return error->message;
  return std::unique_ptr<Engine>(new Engine(std::move(jit)));
}

std::variant<jit::ModuleHandle*, std::string> Engine::load_bitcode(std::string_view bitcode, const std::string& name) {
  auto added = jit_->add_bitcode(bitcode, name);
  if (auto* error = std::get_if<jit::JitError>(&added)) return error->message;
  return std::get<jit::ModuleHandle*>(added);
}

std::variant<jit::ModuleHandle*, std::string> Engine::load_bitcode_once(std::string_view bitcode,
                                                                        const std::string& name) {
  std::lock_guard lock(loaded_mutex_);
  if (auto it = loaded_.find(name); it != loaded_.end()) return it->second;
  auto loaded = load_bitcode(bitcode, name);
  if (auto* handle = std::get_if<jit::ModuleHandle*>(&loaded)) loaded_.emplace(name, *handle);
  return loaded;
}

std::variant<jit::ModuleHandle*, std::string> Engine::load_ir(std::string_view ir, const std::string& name) {
  auto added = jit_->add_ir_text(ir, name);
  if (auto* error = std::get_if<jit::JitError>(&added)) return error->message;
  return std::get<jit::ModuleHandle*>(added);
}

std::variant<EntryPoint, std::string> Engine::entry(const jit::ModuleHandle* module, std::string_view symbol) const {
  auto found = jit_->lookup(module, symbol);
  if (auto* error = std::get_if<jit::JitError>(&found)) return error->message;
  return reinterpret_cast<EntryPoint>(std::get<void*>(found));
}

}  // namespace suture::runtime
