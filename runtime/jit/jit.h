// jit.h — the JIT facade: the only door to LLVM ORC in Suture. Pipeline: pack loader ─► bitcode
// bytes ─► Jit::add_bitcode (parse, verify, rename, optimise, compile, link) ─► ModuleHandle ─►
// Jit::lookup ─► native entry points the host calls per message. No LLVM type appears here;
// everything LLVM lives in jit.cpp (linked PRIVATE), so nothing else in the project sees ORC.
// No function here throws; failures are JitError values.
//
// LIFETIME RULES (read before using a handle or an address)
//
//  1. The Jit owns everything: every ModuleHandle, the code and data of every module, and the
//     runtime-symbol table. Destroying the Jit frees all of it at once; no JIT-compiled code may
//     be running, and no address from it may be used, from then on.
//  2. A ModuleHandle* is valid from the add_* call that returned it until remove() of it (or the
//     Jit's destruction). It is a non-owning pointer: never delete it.
//  3. An address returned by lookup() (function or variable) lives exactly as long as its module:
//     remove() unmaps the code and frees the data, so every address from that module dies then.
//     The caller must guarantee that no thread is executing or about to call into a module when
//     it removes it — the Jit does not count in-flight calls.
//  4. Hot reload of a pack: add the new module (it is fully compiled and linked before add_*
//     returns), look up its entry points, publish them (e.g. an atomic pointer swap), wait until
//     every in-flight message that started on the old entry points has finished, then remove()
//     the old module. Old and new live side by side meanwhile: their symbols never clash (rule 6).
//  5. Runtime symbols (define_runtime_symbol) are resolved when a module is added, so define them
//     before adding modules that call them, and keep the functions/objects they point to alive as
//     long as the Jit. They cannot be redefined or removed.
//  6. Names: every module's external definitions are renamed to `suture.m<N>.<name>`, where N
//     counts add_* calls on this Jit (deterministic: the same sequence of adds gives the same
//     names). lookup() takes the name as written in the module (`<name>`). A module sees only its
//     own definitions and the runtime symbols: not other modules, and not the process's symbols
//     (libc etc.), except memcpy, memmove and memset, which code generation may emit on its own.
//  7. Compilation is EAGER: add_* parses, verifies, optimises, compiles and links the whole module
//     on the calling thread, so unresolved symbols and codegen errors are reported by add_*, and
//     lookup() never compiles — it is a hash-table read.
//  8. Static constructors/destructors (llvm.global_ctors/dtors) are not run: such modules are
//     rejected. Modules must not throw C++ exceptions out of JIT-compiled code.
//
// THREAD SAFETY
//
//  - add_bitcode, add_ir_text, remove and define_runtime_symbol may be called from any thread;
//    they are serialized by one internal mutex (one compile at a time).
//  - lookup(), target_triple() and cpu() may run concurrently with each other and with add_*
//    of other modules; lookup() never waits for a compilation. lookup() on a handle that is
//    being or has been removed is a caller bug; the Jit detects it (a JitError) when it can.
//  - Calling JIT-compiled code needs no lock: it is plain machine code (rule 3 still applies).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace suture::runtime::jit {

struct JitError {
  std::string message;
};

struct Options {
  /// 0–3: the LLVM IR optimisation pipeline (-O0 … -O3) and the code generator's level.
  int opt_level = 2;
  /// "host": this machine's CPU and its features; otherwise an LLVM CPU name for the host's
  /// architecture (e.g. "x86-64", "x86-64-v3"), with that CPU's default features.
  std::string cpu = "host";
  /// false: modules arrive optimised (packs carry bitcode optimised when they were built, see
  /// optimise_to_bitcode), so add_* only compiles them — the IR pipeline is skipped, the code
  /// generator still runs at opt_level. Loading a pack then costs a fraction of the time.
  bool optimise_ir = true;
  /// Reserved for an object cache (compiled code keyed by bitcode hash). Not implemented yet:
  /// create() refuses a non-empty value rather than silently ignoring it.
  std::string cache_dir;
};

/// One loaded module (one ORC ResourceTracker plus its symbol table). Opaque; owned by the Jit.
class ModuleHandle;

class Jit {
 public:
  /// Initialises LLVM's native target (once per process) and builds an in-process JIT for the
  /// host triple. Errors: bad opt level, unknown CPU, non-empty cache_dir, LLVM setup failure.
  static std::variant<std::unique_ptr<Jit>, JitError> create(const Options& options);

  ~Jit();
  Jit(const Jit&) = delete;
  Jit& operator=(const Jit&) = delete;

  /// Registers a runtime function (or object) that generated code may reference by `name`
  /// (unmangled, as declared in the IR). Errors if `name` is already defined or `address` null.
  [[nodiscard]] std::optional<JitError> define_runtime_symbol(std::string name, void* address);

  /// Loads a module from LLVM bitcode bytes (as packs carry it), verifies it and compiles it
  /// eagerly. `module_name` names the module in error messages; it need not be unique.
  std::variant<ModuleHandle*, JitError> add_bitcode(std::string_view bytes, std::string module_name);
  /// Same, from textual LLVM IR (tests, tools).
  std::variant<ModuleHandle*, JitError> add_ir_text(std::string_view ir, std::string module_name);

  /// The address of `symbol` (a function or variable with external linkage, named as in the
  /// module) in a loaded module. Never compiles (rule 7). Valid until remove(module) (rule 3).
  std::variant<void*, JitError> lookup(const ModuleHandle* module, std::string_view symbol) const;

  /// Removes a module and frees its code and data: every address from it becomes invalid, and so
  /// does `module`. Errors on an unknown (e.g. already removed) handle.
  std::optional<JitError> remove(ModuleHandle* module);

  /// The triple code is generated for (e.g. "x86_64-pc-linux-gnu") and the resolved CPU name.
  std::string target_triple() const;
  std::string cpu() const;

 private:
  struct Impl;
  explicit Jit(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// For tests and tools only (the runtime never needs it): parses textual IR, verifies it and
/// returns its bitcode — what a pack carries.
std::variant<std::string, JitError> ir_text_to_bitcode(std::string_view ir);
/// For the compiler: the same, after LLVM's default pipeline at `opt_level` (1–3) for a generic
/// x86-64 CPU of this machine's triple, so the bitcode runs on any x86-64 host and a JIT with
/// optimise_ir = false only has to generate code for it.
std::variant<std::string, JitError> optimise_to_bitcode(std::string_view ir, int opt_level);

}  // namespace suture::runtime::jit
