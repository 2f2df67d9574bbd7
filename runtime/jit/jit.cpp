// jit.cpp — the JIT facade (jit.h) on LLVM ORC's LLJIT. The only file in Suture that includes
// LLVM headers. One LLJIT per Jit; every module gets its own LLVMContext (freed with the module,
// so hot reloads do not grow memory), its own ResourceTracker in the main JITDylib, and a name
// prefix `suture.m<N>.` for its external definitions, so modules never clash. Runtime symbols
// are absolute symbols in the same JITDylib. Every llvm::Error is consumed into a JitError.
#include "runtime/jit/jit.h"

#include <strings.h>
#include <cstring>

#include <cstdint>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>
#include <utility>
#include <vector>

#include "llvm/AsmParser/Parser.h"
#include "llvm/Bitcode/BitcodeReader.h"
#include "llvm/Bitcode/BitcodeWriter.h"
#include "llvm/ExecutionEngine/Orc/Core.h"
#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/ExecutionEngine/Orc/LLJIT.h"
#include "llvm/ExecutionEngine/Orc/ThreadSafeModule.h"
#include "llvm/IR/DiagnosticHandler.h"
#include "llvm/IR/DiagnosticInfo.h"
#include "llvm/IR/DiagnosticPrinter.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/Verifier.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"

namespace suture::runtime::jit {

// INVARIANT: immutable once add_* has published it, so lookup() reads it under a shared lock only.
class ModuleHandle {
 public:
  std::string name;
  std::uint64_t sequence = 0;
  llvm::orc::ResourceTrackerSP tracker;
  std::map<std::string, void*, std::less<>> symbols;  // name as written in the module → address
};

namespace {

std::string take_message(llvm::Error error) {
  return llvm::toString(std::move(error));
}

JitError module_error(const std::string& module_name, const std::string& what) {
  return JitError{"module '" + module_name + "': " + what};
}

// Collects error diagnostics instead of letting LLVMContext::diagnose() exit() the process, which
// is what it does with an unhandled error. Owned by the LLVMContext; the text is shared with add_*.
struct DiagnosticSink {
  std::mutex mutex;
  std::string errors;
};

class CollectingDiagnosticHandler final : public llvm::DiagnosticHandler {
 public:
  explicit CollectingDiagnosticHandler(std::shared_ptr<DiagnosticSink> sink) : sink_(std::move(sink)) {}
  bool handleDiagnostics(const llvm::DiagnosticInfo& info) override {
    if (info.getSeverity() == llvm::DS_Error) {
      std::string text;
      llvm::raw_string_ostream out(text);
      llvm::DiagnosticPrinterRawOStream printer(out);
      info.print(printer);
      out.flush();
      std::lock_guard lock(sink_->mutex);
      if (!sink_->errors.empty()) sink_->errors += "; ";
      sink_->errors += text;
    }
    return true;  // handled: warnings and remarks are dropped
  }

 private:
  std::shared_ptr<DiagnosticSink> sink_;
};

std::unique_ptr<llvm::LLVMContext> make_context(const std::shared_ptr<DiagnosticSink>& sink) {
  auto context = std::make_unique<llvm::LLVMContext>();
  context->setDiagnosticHandler(std::make_unique<CollectingDiagnosticHandler>(sink));
  return context;
}

std::string sink_errors(const std::shared_ptr<DiagnosticSink>& sink) {
  std::lock_guard lock(sink->mutex);
  return sink->errors;
}

// Textual IR → verified module. The lexer needs a NUL after the text: std::string provides it.
std::variant<std::unique_ptr<llvm::Module>, JitError> parse_ir_text(std::string_view ir, const std::string& name,
                                                                    llvm::LLVMContext& context) {
  const std::string owned(ir);
  llvm::SMDiagnostic diagnostic;
  auto module = llvm::parseAssembly(llvm::MemoryBufferRef(llvm::StringRef(owned.data(), owned.size()), name),
                                    diagnostic, context);
  if (!module) {
    return module_error(name, "invalid LLVM IR at " + std::to_string(diagnostic.getLineNo()) + ":" +
                                  std::to_string(diagnostic.getColumnNo() + 1) + ": " + diagnostic.getMessage().str());
  }
  return module;
}

// Bitcode → module. Copied into an LLVM-owned (aligned) buffer: pack bytes may sit anywhere.
std::variant<std::unique_ptr<llvm::Module>, JitError> parse_bitcode(std::string_view bytes, const std::string& name,
                                                                    llvm::LLVMContext& context) {
  auto buffer = llvm::MemoryBuffer::getMemBufferCopy(llvm::StringRef(bytes.data(), bytes.size()), name);
  auto module = llvm::parseBitcodeFile(buffer->getMemBufferRef(), context);
  if (!module) return module_error(name, "invalid LLVM bitcode: " + take_message(module.takeError()));
  return std::move(*module);
}

std::optional<JitError> verify(llvm::Module& module, const std::string& name) {
  std::string text;
  llvm::raw_string_ostream out(text);
  if (llvm::verifyModule(module, &out)) {
    out.flush();
    while (!text.empty() && text.back() == '\n') text.pop_back();
    return module_error(name, "LLVM IR does not verify: " + text);
  }
  return std::nullopt;
}

// Gives every external definition the module's prefix. Comdats are dropped (renaming breaks
// their name link and a module is never linked against another), and linkonce/weak/common
// definitions become plain external ones: each module is alone with its prefix, and a
// discardable definition the code generator may drop could not be looked up.
void prefix_definitions(llvm::Module& module, const std::string& prefix) {
  for (llvm::GlobalValue& value : module.global_values()) {
    if (value.hasLocalLinkage() || value.isDeclarationForLinker() || value.getName().starts_with("llvm.")) continue;
    if (auto* object = llvm::dyn_cast<llvm::GlobalObject>(&value)) object->setComdat(nullptr);
    if (value.getName().empty()) {  // unreachable from outside anyway; keeps `__unnamed_N` from clashing
      value.setLinkage(llvm::GlobalValue::InternalLinkage);
      continue;
    }
    if (value.hasLinkOnceLinkage() || value.hasWeakLinkage() || value.hasCommonLinkage()) {
      value.setLinkage(llvm::GlobalValue::ExternalLinkage);
    }
    value.setName(prefix + value.getName().str());
  }
}

llvm::OptimizationLevel ir_level(int opt_level) {
  switch (opt_level) {
    case 1: return llvm::OptimizationLevel::O1;
    case 2: return llvm::OptimizationLevel::O2;
    default: return llvm::OptimizationLevel::O3;
  }
}

llvm::CodeGenOptLevel codegen_level(int opt_level) {
  switch (opt_level) {
    case 0: return llvm::CodeGenOptLevel::None;
    case 1: return llvm::CodeGenOptLevel::Less;
    case 2: return llvm::CodeGenOptLevel::Default;
    default: return llvm::CodeGenOptLevel::Aggressive;
  }
}

void optimize(llvm::Module& module, llvm::TargetMachine& machine, int opt_level) {
  if (opt_level == 0) return;
  llvm::LoopAnalysisManager loops;
  llvm::FunctionAnalysisManager functions;
  llvm::CGSCCAnalysisManager cgscc;
  llvm::ModuleAnalysisManager modules;
  llvm::PassBuilder builder(&machine);
  builder.registerModuleAnalyses(modules);
  builder.registerCGSCCAnalyses(cgscc);
  builder.registerFunctionAnalyses(functions);
  builder.registerLoopAnalyses(loops);
  builder.crossRegisterProxies(loops, functions, cgscc, modules);
  builder.buildPerModuleDefaultPipeline(ir_level(opt_level)).run(module, modules);
}

bool initialize_native_target() {
  static const bool ok = [] {
    return !llvm::InitializeNativeTarget() && !llvm::InitializeNativeTargetAsmPrinter() &&
           !llvm::InitializeNativeTargetAsmParser();
  }();
  return ok;
}

}  // namespace

struct Jit::Impl {
  Options options;
  std::unique_ptr<llvm::orc::LLJIT> lljit;
  std::unique_ptr<llvm::TargetMachine> machine;  // for the IR optimiser; used under add_mutex
  std::string cpu;

  // Serializes add_*, remove and define_runtime_symbol: one compile at a time, and the sequence
  // numbers (hence symbol names) follow the order of the calls.
  std::mutex add_mutex;
  std::uint64_t next_sequence = 1;

  // What the session reports out of band (e.g. "Symbols not found: [ x ]" behind a generic
  // "Failed to materialize"): collected instead of printed, and added to add_*'s error.
  std::mutex reported_mutex;
  std::string reported;

  std::string take_reported() {
    std::lock_guard lock(reported_mutex);
    return std::exchange(reported, {});
  }

  // Guards `modules` only: held exclusively just to publish or retire a handle, never while
  // compiling, so lookups never wait for a compilation.
  mutable std::shared_mutex modules_mutex;
  std::unordered_map<const ModuleHandle*, std::unique_ptr<ModuleHandle>> modules;

  std::optional<JitError> define_symbol(const std::string& name, void* address) {
    if (address == nullptr) return JitError{"runtime symbol '" + name + "': null address"};
    llvm::orc::SymbolMap symbols;
    symbols[lljit->mangleAndIntern(name)] =
        llvm::orc::ExecutorSymbolDef(llvm::orc::ExecutorAddr::fromPtr(address), llvm::JITSymbolFlags::Exported);
    if (auto error = lljit->getMainJITDylib().define(llvm::orc::absoluteSymbols(std::move(symbols)))) {
      return JitError{"runtime symbol '" + name + "': " + take_message(std::move(error))};
    }
    return std::nullopt;
  }

  // Renames, optimises, compiles and links `module`; the caller holds add_mutex.
  std::variant<ModuleHandle*, JitError> add_module(std::unique_ptr<llvm::Module> module,
                                                   std::unique_ptr<llvm::LLVMContext> context,
                                                   const std::shared_ptr<DiagnosticSink>& sink,
                                                   const std::string& name) {
    if (module->getNamedGlobal("llvm.global_ctors") || module->getNamedGlobal("llvm.global_dtors")) {
      return module_error(name, "has static constructors or destructors, which the JIT does not run");
    }
    const llvm::Triple& host = lljit->getTargetTriple();
    if (!module->getTargetTriple().empty()) {
      const llvm::Triple wanted(module->getTargetTriple());
      if (wanted.getArch() != host.getArch() || wanted.getObjectFormat() != host.getObjectFormat()) {
        return module_error(name, "built for " + wanted.str() + ", this JIT generates code for " + host.str());
      }
    }
    module->setTargetTriple(host.str());
    const llvm::DataLayout& layout = lljit->getDataLayout();
    if (module->getDataLayoutStr().empty()) {
      module->setDataLayout(layout);
    } else if (module->getDataLayout() != layout) {
      return module_error(name, "data layout '" + module->getDataLayoutStr() + "' differs from the JIT's '" +
                                    layout.getStringRepresentation() + "'");
    }

    take_reported();  // only this add's reports from here on
    const std::uint64_t sequence = next_sequence++;
    const std::string prefix = "suture.m" + std::to_string(sequence) + ".";
    module->setModuleIdentifier(name);
    prefix_definitions(*module, prefix);
    if (options.optimise_ir) optimize(*module, *machine, options.opt_level);
    if (std::string errors = sink_errors(sink); !errors.empty()) return module_error(name, errors);

    std::vector<std::pair<std::string, llvm::orc::SymbolStringPtr>> exported;  // module name → JIT name
    llvm::orc::SymbolLookupSet wanted;
    for (const llvm::GlobalValue& value : module->global_values()) {
      if (value.hasLocalLinkage() || value.isDeclarationForLinker() || !value.getName().starts_with(prefix)) continue;
      auto jit_name = lljit->mangleAndIntern(value.getName());
      exported.emplace_back(value.getName().substr(prefix.size()).str(), jit_name);
      wanted.add(jit_name);
    }

    auto handle = std::make_unique<ModuleHandle>();
    handle->name = name;
    handle->sequence = sequence;
    handle->tracker = lljit->getMainJITDylib().createResourceTracker();
    if (auto error =
            lljit->addIRModule(handle->tracker, llvm::orc::ThreadSafeModule(std::move(module), std::move(context)))) {
      return discard(*handle, module_error(name, take_message(std::move(error))));
    }

    // Eager compilation: looking every definition up materializes the whole module now, so
    // unresolved symbols and codegen errors surface here, and lookup() never compiles.
    if (!wanted.empty()) {
      auto& session = lljit->getExecutionSession();
      auto addresses = session.lookup({{&lljit->getMainJITDylib(), llvm::orc::JITDylibLookupFlags::MatchAllSymbols}},
                                      std::move(wanted));
      if (!addresses) return discard(*handle, module_error(name, take_message(addresses.takeError())));
      if (std::string errors = sink_errors(sink); !errors.empty()) return discard(*handle, module_error(name, errors));
      for (const auto& [module_name, jit_name] : exported) {
        handle->symbols.emplace(module_name, (*addresses)[jit_name].getAddress().toPtr<void*>());
      }
    }

    ModuleHandle* published = handle.get();
    std::unique_lock lock(modules_mutex);
    modules.emplace(published, std::move(handle));
    return published;
  }

  // Frees whatever a failed add left in the JITDylib, keeping the first error.
  JitError discard(ModuleHandle& handle, JitError error) {
    if (std::string details = take_reported(); !details.empty()) error.message += ": " + details;
    if (auto removal = handle.tracker->remove())
      error.message += " (and removing it failed: " + take_message(std::move(removal)) + ")";
    return error;
  }
};

Jit::Jit(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Jit::~Jit() {
  if (!impl_) return;
  // Release modules before the LLJIT: their trackers belong to its session.
  // ~LLJIT then ends the session, which frees every module's code and data.
  std::unique_lock lock(impl_->modules_mutex);
  impl_->modules.clear();
}

std::variant<std::unique_ptr<Jit>, JitError> Jit::create(const Options& options) {
  if (options.opt_level < 0 || options.opt_level > 3) {
    return JitError{"opt level " + std::to_string(options.opt_level) + " is not in 0..3"};
  }
  if (!options.cache_dir.empty()) return JitError{"the JIT object cache (cache_dir) is not implemented yet"};
  if (!initialize_native_target()) return JitError{"LLVM has no native target for this machine"};

  auto impl = std::make_unique<Impl>();
  impl->options = options;

  std::optional<llvm::orc::JITTargetMachineBuilder> target;
  if (options.cpu == "host") {
    auto detected = llvm::orc::JITTargetMachineBuilder::detectHost();
    if (!detected) return JitError{"cannot detect the host: " + take_message(detected.takeError())};
    target.emplace(std::move(*detected));
  } else {
    const llvm::Triple triple(llvm::sys::getProcessTriple());
    std::string lookup_error;
    const llvm::Target* llvm_target = llvm::TargetRegistry::lookupTarget(triple.str(), lookup_error);
    if (!llvm_target) return JitError{"no LLVM target for " + triple.str() + ": " + lookup_error};
    std::unique_ptr<llvm::MCSubtargetInfo> subtarget(llvm_target->createMCSubtargetInfo(triple.str(), "", ""));
    if (!subtarget || !subtarget->isCPUStringValid(options.cpu)) {
      return JitError{"unknown CPU '" + options.cpu + "' for " + triple.str()};
    }
    target.emplace(triple);
    target->setCPU(options.cpu);
  }
  target->setCodeGenOptLevel(codegen_level(options.opt_level));
  impl->cpu = target->getCPU();

  auto machine = target->createTargetMachine();
  if (!machine) return JitError{"cannot create a target machine: " + take_message(machine.takeError())};
  impl->machine = std::move(*machine);

  // No process symbols (a module reaches only runtime symbols) and no platform: initializers are
  // refused at add time, so nothing needs the ORC runtime. Compiles run on the calling thread.
  auto lljit = llvm::orc::LLJITBuilder()
                   .setJITTargetMachineBuilder(std::move(*target))
                   .setLinkProcessSymbolsByDefault(false)
                   .setPlatformSetUp(llvm::orc::setUpInactivePlatform)
                   .setNumCompileThreads(0)
                   .create();
  if (!lljit) return JitError{"cannot create the LLVM JIT: " + take_message(lljit.takeError())};
  impl->lljit = std::move(*lljit);
  impl->lljit->getExecutionSession().setErrorReporter([state = impl.get()](llvm::Error error) {
    std::string text = take_message(std::move(error));
    std::lock_guard lock(state->reported_mutex);
    if (!state->reported.empty()) state->reported += "; ";
    state->reported += text;
  });

  // What the code generator may emit calls to on its own (memory intrinsics, memcmp folding).
  const std::pair<const char*, void*> builtins[] = {
      {"memcpy", reinterpret_cast<void*>(&::memcpy)}, {"memmove", reinterpret_cast<void*>(&::memmove)},
      {"memset", reinterpret_cast<void*>(&::memset)}, {"memcmp", reinterpret_cast<void*>(&::memcmp)},
      {"bcmp", reinterpret_cast<void*>(&::bcmp)},
  };
  for (const auto& [name, address] : builtins) {
    if (auto error = impl->define_symbol(name, address)) return *error;
  }
  return std::unique_ptr<Jit>(new Jit(std::move(impl)));
}

std::optional<JitError> Jit::define_runtime_symbol(std::string name, void* address) {
  std::lock_guard lock(impl_->add_mutex);
  return impl_->define_symbol(name, address);
}

std::variant<ModuleHandle*, JitError> Jit::add_bitcode(std::string_view bytes, std::string module_name) {
  std::lock_guard lock(impl_->add_mutex);
  auto sink = std::make_shared<DiagnosticSink>();
  auto context = make_context(sink);
  auto parsed = parse_bitcode(bytes, module_name, *context);
  if (auto* error = std::get_if<JitError>(&parsed)) return std::move(*error);
  auto module = std::move(std::get<std::unique_ptr<llvm::Module>>(parsed));
  if (auto error = verify(*module, module_name)) return std::move(*error);
  return impl_->add_module(std::move(module), std::move(context), sink, module_name);
}

std::variant<ModuleHandle*, JitError> Jit::add_ir_text(std::string_view ir, std::string module_name) {
  std::lock_guard lock(impl_->add_mutex);
  auto sink = std::make_shared<DiagnosticSink>();
  auto context = make_context(sink);
  auto parsed = parse_ir_text(ir, module_name, *context);
  if (auto* error = std::get_if<JitError>(&parsed)) return std::move(*error);
  auto module = std::move(std::get<std::unique_ptr<llvm::Module>>(parsed));
  if (auto error = verify(*module, module_name)) return std::move(*error);
  return impl_->add_module(std::move(module), std::move(context), sink, module_name);
}

std::variant<void*, JitError> Jit::lookup(const ModuleHandle* module, std::string_view symbol) const {
  std::shared_lock lock(impl_->modules_mutex);
  if (!impl_->modules.contains(module)) return JitError{"lookup: unknown or removed module handle"};
  auto found = module->symbols.find(symbol);
  if (found == module->symbols.end()) {
    return JitError{"module '" + module->name + "': no external definition named '" + std::string(symbol) + "'"};
  }
  return found->second;
}

std::optional<JitError> Jit::remove(ModuleHandle* module) {
  std::lock_guard add_lock(impl_->add_mutex);
  std::unique_ptr<ModuleHandle> owned;
  {
    std::unique_lock lock(impl_->modules_mutex);
    auto found = impl_->modules.find(module);
    if (found == impl_->modules.end()) return JitError{"remove: unknown or already removed module handle"};
    owned = std::move(found->second);
    impl_->modules.erase(found);
  }
  if (auto error = owned->tracker->remove()) {
    return module_error(owned->name, "cannot remove: " + take_message(std::move(error)));
  }
  return std::nullopt;
}

std::string Jit::target_triple() const {
  return impl_->lljit->getTargetTriple().str();
}

std::string Jit::cpu() const {
  return impl_->cpu;
}

std::variant<std::string, JitError> optimise_to_bitcode(std::string_view ir, int opt_level) {
  if (opt_level < 1 || opt_level > 3) return JitError{"opt level " + std::to_string(opt_level) + " is not in 1..3"};
  if (!initialize_native_target()) return JitError{"LLVM has no native target for this machine"};
  auto sink = std::make_shared<DiagnosticSink>();
  auto context = make_context(sink);
  auto parsed = parse_ir_text(ir, "optimise_to_bitcode", *context);
  if (auto* error = std::get_if<JitError>(&parsed)) return std::move(*error);
  auto& module = std::get<std::unique_ptr<llvm::Module>>(parsed);
  if (auto error = verify(*module, "optimise_to_bitcode")) return std::move(*error);
  const llvm::Triple triple(llvm::sys::getProcessTriple());
  std::string lookup_error;
  const llvm::Target* target = llvm::TargetRegistry::lookupTarget(triple.str(), lookup_error);
  if (!target) return JitError{"no LLVM target for " + triple.str() + ": " + lookup_error};
  std::unique_ptr<llvm::TargetMachine> machine(target->createTargetMachine(
      triple.str(), "x86-64", "", llvm::TargetOptions(), std::nullopt, std::nullopt, codegen_level(opt_level)));
  if (!machine) return JitError{"cannot create a target machine for " + triple.str()};
  module->setTargetTriple(triple.str());
  module->setDataLayout(machine->createDataLayout());
  optimize(*module, *machine, opt_level);
  if (auto error = verify(*module, "optimise_to_bitcode")) return std::move(*error);
  std::string bytes;
  llvm::raw_string_ostream out(bytes);
  llvm::WriteBitcodeToFile(*module, out);
  out.flush();
  return bytes;
}

std::variant<std::string, JitError> ir_text_to_bitcode(std::string_view ir) {
  auto sink = std::make_shared<DiagnosticSink>();
  auto context = make_context(sink);
  auto parsed = parse_ir_text(ir, "ir_text_to_bitcode", *context);
  if (auto* error = std::get_if<JitError>(&parsed)) return std::move(*error);
  auto& module = std::get<std::unique_ptr<llvm::Module>>(parsed);
  if (auto error = verify(*module, "ir_text_to_bitcode")) return std::move(*error);
  std::string bytes;
  llvm::raw_string_ostream out(bytes);
  llvm::WriteBitcodeToFile(*module, out);
  out.flush();
  return bytes;
}

}  // namespace suture::runtime::jit
