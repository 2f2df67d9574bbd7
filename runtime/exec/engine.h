// engine.h — runs compiled rules: one JIT (through the facade in runtime/jit) with the natives
// and glue registered, the modules loaded into it, and their entry points. The pack loader and
// `suture run` / the host build on it; tests use it with LLVM IR text directly.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "runtime/exec/context.h"
#include "runtime/jit/jit.h"
#include "runtime/schema/descriptor.h"

namespace suture::runtime {

// int32_t entry(ExecContext*, Value* out, const Value* params): 0 done, 1 rejected.
using EntryPoint = std::int32_t (*)(ExecContext*, abi::Value*, const abi::Value*);

// The descriptor tables generated code indexes (ExecContext::records / enums).
struct SchemaTables {
  explicit SchemaTables(const abi::SchemaSet& schemas);
  std::vector<const abi::RecordDesc*> records;
  std::vector<const abi::EnumDesc*> enums;
  // Points a context at these tables and the arena.
  void bind(ExecContext& ctx, Arena& arena) const {
    ctx.arena = &arena;
    ctx.records = records.data();
    ctx.enums = enums.data();
  }
};

class Engine {
 public:
  static std::variant<std::unique_ptr<Engine>, std::string> create(const jit::Options& options = {});

  // Compiles a module (bitcode as packs carry it, or LLVM IR text) and returns its handle.
  std::variant<jit::ModuleHandle*, std::string> load_bitcode(std::string_view bitcode, const std::string& name);
  // The same, compiled once per `name`: later calls with that name return the first handle
  // (several runners of one pack share its code). Safe from several threads.
  std::variant<jit::ModuleHandle*, std::string> load_bitcode_once(std::string_view bitcode, const std::string& name);
  std::variant<jit::ModuleHandle*, std::string> load_ir(std::string_view ir, const std::string& name);
  std::variant<EntryPoint, std::string> entry(const jit::ModuleHandle* module, std::string_view symbol) const;
  jit::Jit& jit() { return *jit_; }

 private:
  explicit Engine(std::unique_ptr<jit::Jit> jit) : jit_(std::move(jit)) {}
  std::unique_ptr<jit::Jit> jit_;
  std::mutex loaded_mutex_;
  std::map<std::string, jit::ModuleHandle*> loaded_;
};

}  // namespace suture::runtime
