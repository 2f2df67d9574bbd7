// program_gen.h — random well-typed IR programs and random messages for the differential test
// (tests/diff/diff_main.cpp): the reference evaluator (compiler/ir/evaluate.h) and the JIT-run
// generated code must agree on every pair. Fully deterministic per seed (std::mt19937_64).
// Pipeline position: test-only; builds ir::Function values directly, skipping the front end.
//
// The fixed schema (built by hand in the Module's SchemaSet):
//   enum Color { red, green, blue, "entered-in-error" }
//   record Rec { n: int, s: string?, xs: list<int> }
//   record In  { i: int, oi: int?, s: string, os: string?, b: bool, li: list<int>,
//                ls: list<string>, lr: list<Rec>, e: Color }
//   record Out { o_int: int, o_str: string, o_bool: bool, o_oint: int?, o_ostr: string?,
//                o_li: list<int>, o_ls: list<string>, o_rec: Rec? }
// Programs are `mapping f(in: In) -> Out`: one Stmt::Set per Out slot (some under When, some
// after a Stmt::Let, o_rec sometimes field by field through a nested path).
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "compiler/ir/ir.h"
#include "runtime/abi/value.h"
#include "runtime/value/arena.h"

namespace suture::difftest {

// The schema's descriptors and interned types; lives inside (and points into) one Module.
struct Schema {
  ir::Module* module = nullptr;
  const abi::EnumDesc* color = nullptr;
  const abi::RecordDesc* rec = nullptr;
  const abi::RecordDesc* in = nullptr;
  const abi::RecordDesc* out = nullptr;
  // Pack-order tables for ExecContext::records / ::enums.
  std::vector<const abi::RecordDesc*> records;
  std::vector<const abi::EnumDesc*> enums;

  const ir::Type* t_bool = nullptr;
  const ir::Type* t_int = nullptr;
  const ir::Type* t_oint = nullptr;
  const ir::Type* t_fint = nullptr;  // int!
  const ir::Type* t_str = nullptr;
  const ir::Type* t_ostr = nullptr;
  const ir::Type* t_fstr = nullptr;  // string!
  const ir::Type* t_null = nullptr;
  const ir::Type* t_never = nullptr;
  const ir::Type* t_color = nullptr;
  const ir::Type* t_ocolor = nullptr;
  const ir::Type* t_rec = nullptr;
  const ir::Type* t_orec = nullptr;
  const ir::Type* t_in = nullptr;
  const ir::Type* t_out = nullptr;
  const ir::Type* t_li = nullptr;  // list<int>
  const ir::Type* t_ls = nullptr;  // list<string>
  const ir::Type* t_lr = nullptr;  // list<Rec>

  // Slots of In, Rec and Out fields (equal to their field indexes: no extension slots).
  enum InSlot : std::uint32_t { kI, kOi, kS, kOs, kB, kLi, kLs, kLr, kE };
  enum RecSlot : std::uint32_t { kN, kRs, kXs };
  enum OutSlot : std::uint32_t { kOInt, kOStr, kOBool, kOOint, kOOstr, kOLi, kOLs, kORec };
};

// Adds the schema to `m` (its SchemaSet must be empty) and interns the types.
Schema make_schema(ir::Module& m);

struct GenOptions {
  int max_depth = 5;
  bool calls = true;  // Op::Call of a few standard functions (needs the natives)
};

// Appends one random function to schema.module->functions and returns it (the reference lasts
// until the module's function list next changes).
const ir::Function& generate_program(Schema& schema, std::uint64_t seed, const GenOptions& options = {});

// A random `In` message in `arena`: absent optional fields (some as Kind::Null), absent and
// empty lists, non-ASCII strings, integers near the 64-bit limits.
abi::Value generate_message(const Schema& schema, runtime::Arena& arena, std::uint64_t seed);

// Canonical text of a value, for comparing outputs: absent and null print alike, and an absent
// list field prints as the empty list (an absent list is the empty list).
std::string describe(const abi::Value& v);

}  // namespace suture::difftest
