// pack_engine.h — what every user of a pack does first: a JIT configured for the pack's bitcode
// (optimised when the pack was built: only fast code generation at load), and the entry point
// to run when the pack has exactly one of a kind. Shared by `suture run`, `suture authorize`
// and the host.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "runtime/exec/engine.h"
#include "runtime/pack/pack.h"

namespace suture::runtime {

// SUTURE_JIT_CODEGEN=0..3 overrides the code generator's level (load time against speed).
std::variant<std::unique_ptr<Engine>, std::string> engine_for(const pack::LoadedPack& pack);

// The name of the pack's only entry point of `kind`, or why there is none to pick.
std::variant<std::string, std::string> only_entry(const pack::LoadedPack& pack, pack::EntryKind kind);

// The entry point of `kind` named `name` (or module.name), or why there is none (naming those
// the pack has).
std::variant<const pack::EntryPoint*, std::string> find_entry(const pack::LoadedPack& pack, pack::EntryKind kind,
                                                              std::string_view name);

// Compiles the pack's bitcode into `engine` and returns `entry`'s native function.
std::variant<EntryPoint, std::string> load_entry(const pack::LoadedPack& pack, Engine& engine,
                                                 const pack::EntryPoint& entry);

}  // namespace suture::runtime
