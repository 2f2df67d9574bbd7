// diff_main.cpp — `suture_difftest --programs N --messages M --seed S`: the differential test.
// Generates N random well-typed IR programs over a fixed schema (program_gen.h) and M random
// messages for each, runs every pair through the reference evaluator (compiler/ir/evaluate.h)
// and through the generated code (run_native below), and reports any disagreement.
// Pipeline position: test-only; exercises ir → codegen → JIT against ir → evaluate.
// --verbose prints every outcome, --print every program's IR, --program P reruns program P only.
// Programs are compiled in batches (--batch B, default 100): one Module/SchemaSet, one LLVM
// module and one JIT compile per batch, since a compile costs milliseconds and a call
// microseconds. Program P's IR does not depend on its batch (the determinism check regenerates
// it alone), so `--program P` reproduces a failure seen in a batch.
//
// Exit status: 0 when every pair agrees, the evaluator ran every pair without an internal error
// and the generator was deterministic; 1 otherwise; 2 on bad arguments.
#include <unistd.h>
#include <algorithm>
#include <array>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "compiler/codegen/codegen.h"
#include "compiler/ir/evaluate.h"
#include "compiler/ir/printer.h"
#include "runtime/exec/context.h"
#include "runtime/exec/engine.h"
#include "runtime/value/arena.h"
#include "tests/diff/program_gen.h"

namespace {

namespace abi = suture::abi;
namespace ir = suture::ir;
namespace runtime = suture::runtime;
namespace difftest = suture::difftest;

// Deep equality of two output values, slot by slot: the same kind, then the same value by kind
// (ints and durations, bools, enum member index, text by bytes, dates also by precision and
// offset flag, lists element-wise, records by descriptor and every slot). The one equivalence
// allowed is the IR's own (ir.h): an absent list is the empty list, for a slot whose field is a
// list. `where` receives the path of the first difference.
bool same_value(const abi::Value& a, const abi::Value& b, bool list_slot, const std::string& path, std::string& where) {
  auto differ = [&](const char* what) {
    where = path + ": " + what;
    return false;
  };
  if (list_slot) {
    const bool a_empty = !a.present() || (a.kind == abi::Kind::List && a.aux == 0);
    const bool b_empty = !b.present() || (b.kind == abi::Kind::List && b.aux == 0);
    if (a_empty && b_empty) return true;
  }
  if (a.kind != b.kind) return differ("kinds differ");
  switch (a.kind) {
    case abi::Kind::Absent:
    case abi::Kind::Null: return true;
    case abi::Kind::Bool: return a.boolean == b.boolean ? true : differ("bools differ");
    case abi::Kind::Int:
    case abi::Kind::Duration: return a.integer == b.integer ? true : differ("integers differ");
    case abi::Kind::Enum: return a.aux == b.aux ? true : differ("enum members differ");
    case abi::Kind::Date:
    case abi::Kind::DateTime:
    case abi::Kind::Time:
    case abi::Kind::Instant:
      if (a.precision != b.precision || a.flags != b.flags) return differ("precision or offset flag differ");
      [[fallthrough]];
    case abi::Kind::Decimal:
    case abi::Kind::String:
    case abi::Kind::Json:
      if (a.aux != b.aux) return differ("lengths differ");
      return a.aux == 0 || std::memcmp(a.text, b.text, a.aux) == 0 ? true : differ("bytes differ");
    case abi::Kind::List:
      if (a.aux != b.aux) return differ("list sizes differ");
      for (std::uint32_t i = 0; i < a.aux; ++i)
        if (!same_value(a.items[i], b.items[i], false, path + "[" + std::to_string(i) + "]", where)) return false;
      return true;
    case abi::Kind::Record: {
      const abi::Record* ra = a.record;
      const abi::Record* rb = b.record;
      if (ra == nullptr || rb == nullptr) return ra == rb ? true : differ("a null record pointer");
      if (ra->desc != rb->desc) return differ("record descriptors differ");
      if (ra->slot_count != rb->slot_count) return differ("slot counts differ");
      for (std::uint32_t i = 0; i < ra->slot_count; ++i) {
        const abi::FieldDesc* field =
            ra->desc != nullptr && i < ra->desc->fields.size() ? &ra->desc->fields[i] : nullptr;
        const std::string name = field != nullptr ? field->name : "#" + std::to_string(i);
        if (!same_value(ra->slots[i], rb->slots[i], field != nullptr && field->type.list, path + "." + name, where))
          return false;
      }
      return true;
    }
  }
  return differ("an unknown kind");
}

// What one run of a program on one message gave: the output, or the rejection.
struct Outcome {
  bool accepted = false;
  abi::Value value;    // accepted: the Out record (in the run's arena, alive while compared)
  std::string output;  // difftest::describe of the Out record
  std::string code;    // rejected: ctx.error
  std::string path;
  std::string message;

  // Rejections agree on the code and the path; the message is for people. Outputs agree slot by
  // slot (same_value); `where` says where they first differ.
  bool agrees_with(const Outcome& o, std::string& where) const {
    if (accepted != o.accepted) {
      where = "one accepted, one rejected";
      return false;
    }
    if (!accepted) {
      if (code == o.code && path == o.path) return true;
      where = "rejection code or path differ";
      return false;
    }
    return same_value(value, o.value, false, "$", where);
  }
  std::string text() const { return accepted ? "ok " + output : "rejected " + code + " at " + path + ": " + message; }
};

Outcome outcome_of(bool accepted, const abi::Value& out, const runtime::ExecContext& ctx) {
  Outcome o;
  o.accepted = accepted;
  if (accepted) {
    o.value = out;
    o.output = difftest::describe(out);
  } else {
    o.code = ctx.error.code;
    o.path = ctx.error.path;
    o.message = ctx.error.message;
  }
  return o;
}

runtime::ExecContext make_context(const difftest::Schema& schema, runtime::Arena& arena) {
  runtime::ExecContext ctx;
  ctx.arena = &arena;
  ctx.records = schema.records.data();
  ctx.enums = schema.enums.data();
  return ctx;
}

// The generated code of a batch: the batch's Module through codegen::emit_llvm_ir, one JIT
// compile (runtime::Engine, natives and glue registered), one entry point per function.
// Removed from the JIT when the batch is done, so a long run does not accumulate code.
class NativeBatch {
 public:
  NativeBatch(runtime::Engine& engine, const ir::Module& module, const std::string& name)
      : engine_(engine), tables_(module.schemas) {
    ir_ = suture::codegen::emit_llvm_ir(module, name);
    auto loaded = engine_.load_ir(ir_, name);
    if (auto* error = std::get_if<std::string>(&loaded)) {
      error_ = "the JIT refused the module: " + *error;
      return;
    }
    handle_ = std::get<runtime::jit::ModuleHandle*>(loaded);
    for (const ir::Function& f : module.functions) {
      auto entry = engine_.entry(handle_, f.symbol);
      if (auto* error = std::get_if<std::string>(&entry)) {
        error_ = "no entry point " + f.symbol + ": " + *error;
        return;
      }
      entries_.push_back(std::get<runtime::EntryPoint>(entry));
    }
  }
  ~NativeBatch() {
    if (handle_ != nullptr) (void)engine_.jit().remove(handle_);
  }
  NativeBatch(const NativeBatch&) = delete;
  NativeBatch& operator=(const NativeBatch&) = delete;

  const std::string& error() const { return error_; }
  const std::string& llvm_ir() const { return ir_; }
  runtime::EntryPoint entry(std::size_t function) const { return entries_.at(function); }
  const runtime::SchemaTables& tables() const { return tables_; }

 private:
  runtime::Engine& engine_;
  runtime::SchemaTables tables_;
  std::string ir_;
  std::string error_;
  runtime::jit::ModuleHandle* handle_ = nullptr;
  std::vector<runtime::EntryPoint> entries_;
};

// Runs a compiled entry point on `message` with `ctx` (its own arena, the batch's tables bound):
//     int32_t f(ExecContext* ctx, abi::Value* out, const abi::Value* in)
Outcome run_native(runtime::EntryPoint entry, const abi::Value& message, runtime::ExecContext& ctx) {
  abi::Value out;
  const std::int32_t result = entry(&ctx, &out, &message);
  if (result != 0 && result != 1) {
    Outcome o;
    o.code = "ENTRY_RETURNED_" + std::to_string(result);
    o.path = "?";
    return o;
  }
  return outcome_of(result == 0, out, ctx);
}

// Which program and message are running, for the crash handler: generated code that crashes
// takes the process with it, and the reproduction is all that is left to print.
char g_running[256] = "";
void on_crash(int signal) {
  const char* what = signal == SIGSEGV  ? "SIGSEGV"
                     : signal == SIGFPE ? "SIGFPE"
                     : signal == SIGBUS ? "SIGBUS"
                                        : "signal";
  char text[400];
  const int n = std::snprintf(text, sizeof text, "\nCRASH (%s) while running %s\n", what, g_running);
  if (n > 0) (void)!write(2, text, static_cast<std::size_t>(n));
  _exit(3);
}

// How often each Op occurs in the generated programs: the generator must use them all.
constexpr std::size_t kOpCount = static_cast<std::size_t>(ir::Op::MaxBy) + 1;
using OpCounts = std::array<std::uint64_t, kOpCount>;

void count_ops(const ir::Expr& e, OpCounts& counts) {
  ++counts[static_cast<std::size_t>(e.op)];
  for (const auto& a : e.args) count_ops(*a, counts);
  for (const auto& entry : e.entries) count_ops(*entry.value, counts);
}
void count_ops(const std::vector<ir::Stmt>& body, OpCounts& counts) {
  for (const ir::Stmt& s : body) {
    if (s.value) count_ops(*s.value, counts);
    count_ops(s.body, counts);
  }
}

struct Options {
  std::uint64_t programs = 100;
  std::uint64_t messages = 20;
  std::uint64_t seed = 1;
  int max_depth = 5;
  bool calls = true;
  bool verbose = false;
  bool print = false;
  bool print_llvm = false;            // --print-llvm: the generated LLVM IR of each batch
  std::uint64_t batch = 100;          // --batch B: programs per compiled module
  int opt_level = 2;                  // --opt O: the JIT's optimisation level
  std::optional<std::uint64_t> only;  // --program P: just program P of this seed
};

// SplitMix64: independent per-program and per-message seeds from one seed.
std::uint64_t mix(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

bool parse_args(int argc, char** argv, Options& o) {
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    auto number = [&](std::uint64_t& into) {
      if (i + 1 >= argc) return false;
      char* end = nullptr;
      into = std::strtoull(argv[++i], &end, 10);
      return end != nullptr && *end == '\0';
    };
    std::uint64_t depth = 0;
    if (a == "--programs") {
      if (!number(o.programs)) return false;
    } else if (a == "--messages") {
      if (!number(o.messages)) return false;
    } else if (a == "--seed") {
      if (!number(o.seed)) return false;
    } else if (a == "--max-depth") {
      if (!number(depth) || depth > 12) return false;
      o.max_depth = static_cast<int>(depth);
    } else if (a == "--no-calls") {
      o.calls = false;
    } else if (a == "--verbose") {
      o.verbose = true;
    } else if (a == "--program") {
      std::uint64_t p = 0;
      if (!number(p)) return false;
      o.only = p;
    } else if (a == "--print") {
      o.print = true;
    } else if (a == "--print-llvm") {
      o.print_llvm = true;
    } else if (a == "--batch") {
      if (!number(o.batch) || o.batch == 0) return false;
    } else if (a == "--opt") {
      std::uint64_t level = 0;
      if (!number(level) || level > 3) return false;
      o.opt_level = static_cast<int>(level);
    } else {
      return false;
    }
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  if (!parse_args(argc, argv, options)) {
    std::cerr << "usage: suture_difftest [--programs N] [--messages M] [--seed S] [--max-depth D] [--no-calls] "
                 "[--verbose] [--print] [--print-llvm] [--program P] [--batch B] [--opt O]\n";
    return 2;
  }
  difftest::GenOptions gen;
  gen.max_depth = options.max_depth;
  gen.calls = options.calls;

  runtime::jit::Options jit_options;
  jit_options.opt_level = options.opt_level;
  auto made = runtime::Engine::create(jit_options);
  if (auto* error = std::get_if<std::string>(&made)) {
    std::cerr << "suture_difftest: cannot create the JIT: " << *error << "\n";
    return 1;
  }
  runtime::Engine& engine = *std::get<std::unique_ptr<runtime::Engine>>(made);
  for (int sig : {SIGSEGV, SIGFPE, SIGBUS, SIGILL}) std::signal(sig, on_crash);

  std::uint64_t accepted = 0, rejected = 0, compared = 0, programs_compared = 0, programs_disagreeing = 0;
  std::uint64_t mismatches = 0, problems = 0;
  std::map<std::string, std::uint64_t> rejection_codes;
  OpCounts op_counts{};

  const std::uint64_t first_program = options.only.value_or(0);
  const std::uint64_t end_program = options.only ? *options.only + 1 : options.programs;
  for (std::uint64_t batch_start = first_program; batch_start < end_program; batch_start += options.batch) {
    const std::uint64_t batch_end = std::min(end_program, batch_start + options.batch);
    // One Module and SchemaSet per batch; function k of it is program batch_start + k.
    auto module = std::make_unique<ir::Module>();
    difftest::Schema schema = difftest::make_schema(*module);
    std::vector<std::uint64_t> program_seeds;
    std::vector<std::string> printed;
    for (std::uint64_t p = batch_start; p < batch_end; ++p) {
      const std::uint64_t program_seed = mix(options.seed * 1'000'003 + p);
      program_seeds.push_back(program_seed);
      ir::Function& f = const_cast<ir::Function&>(difftest::generate_program(schema, program_seed, gen));
      f.symbol = "difftest_" + std::to_string(options.seed) + "_" + std::to_string(p);
      printed.push_back(ir::print(f));
      count_ops(f.body, op_counts);
      if (options.print) std::cout << "program " << p << " (seed " << program_seed << "):\n" << printed.back() << "\n";

      // The generator is deterministic: the same seed gives the same program, alone in a module.
      ir::Module again;
      difftest::Schema schema_again = difftest::make_schema(again);
      if (ir::print(difftest::generate_program(schema_again, program_seed, gen)) != printed.back()) {
        std::cerr << "program " << p << " (seed " << program_seed << "): the generator is not deterministic\n";
        ++problems;
      }
    }

    const std::string module_name = "difftest_" + std::to_string(options.seed) + "_" + std::to_string(batch_start);
    NativeBatch native(engine, *module, module_name);
    if (options.print_llvm) std::cout << native.llvm_ir() << "\n";
    if (!native.error().empty()) {
      std::cerr << "programs " << batch_start << ".." << batch_end - 1 << " (seed " << options.seed
                << "): " << native.error() << "\n";
      if (options.only) std::cerr << native.llvm_ir() << "\n";
      ++mismatches;
      continue;
    }

    for (std::uint64_t p = batch_start; p < batch_end; ++p) {
      const std::size_t k = static_cast<std::size_t>(p - batch_start);
      const ir::Function& f = module->functions[k];
      const std::uint64_t program_seed = program_seeds[k];
      bool program_agrees = true;
      for (std::uint64_t m = 0; m < options.messages; ++m) {
        const std::uint64_t message_seed = mix(program_seed ^ mix(m + 1));
        runtime::Arena arena;
        const abi::Value message = difftest::generate_message(schema, arena, message_seed);
        runtime::ExecContext ctx = make_context(schema, arena);
        abi::Value out;
        const bool ok = ir::evaluate(f, *module, ctx, {message}, out);
        const Outcome expected = outcome_of(ok, out, ctx);
        if (ok) {
          ++accepted;
        } else {
          ++rejected;
          ++rejection_codes[ctx.error.code];
        }
        if (!ok && ctx.error.code == "EVALUATOR_INTERNAL") {
          std::cerr << "program " << p << " message " << m << ": " << expected.text() << "\n" << printed[k] << "\n";
          ++problems;
        }
        if (options.verbose) std::cout << "program " << p << " message " << m << ": " << expected.text() << "\n";

        runtime::Arena native_arena;
        const abi::Value native_message = difftest::generate_message(schema, native_arena, message_seed);
        runtime::ExecContext native_ctx;
        native.tables().bind(native_ctx, native_arena);
        std::snprintf(g_running, sizeof g_running, "--seed %llu --program %llu message %llu",
                      static_cast<unsigned long long>(options.seed), static_cast<unsigned long long>(p),
                      static_cast<unsigned long long>(m));
        const Outcome actual = run_native(native.entry(k), native_message, native_ctx);
        ++compared;
        std::string where;
        if (!actual.agrees_with(expected, where)) {
          ++mismatches;
          program_agrees = false;
          std::cerr << "MISMATCH program " << p << " (seed " << program_seed << ") message " << m << " (seed "
                    << message_seed << "): " << where << "\n  rerun:     suture_difftest --seed " << options.seed
                    << " --program " << p << " --messages " << options.messages << " --verbose"
                    << "\n  message:   " << difftest::describe(message) << "\n  evaluator: " << expected.text()
                    << "\n  native:    " << actual.text() << "\n"
                    << printed[k] << "\n";
        } else if (options.verbose) {
          std::cout << "program " << p << " message " << m << ": native agrees\n";
        }
      }
      ++programs_compared;
      if (!program_agrees) ++programs_disagreeing;
    }
  }

  std::cout << "suture_difftest: " << (end_program - first_program) << " programs x " << options.messages
            << " messages (seed " << options.seed << "): " << accepted << " accepted, " << rejected << " rejected (";
  bool first = true;
  for (const auto& [code, n] : rejection_codes) {
    std::cout << (first ? "" : ", ") << code << " " << n;
    first = false;
  }
  std::cout << "); compared with the generated code: " << programs_compared << " programs, " << compared
            << " program-message pairs, " << mismatches << " disagreements (in " << programs_disagreeing
            << " programs)";
  std::string unused;
  for (std::size_t op = 0; op < kOpCount; ++op) {
    // Invoke calls another function of a module (a test calling a mapping): the generator makes
    // one function per program, so tests/unit/exec_test.cpp compares it instead.
    if (op == static_cast<std::size_t>(ir::Op::Invoke)) continue;
    if (op_counts[op] == 0 && !(op == static_cast<std::size_t>(ir::Op::Call) && !options.calls))
      unused += std::string(unused.empty() ? "" : ", ") + ir::to_string(static_cast<ir::Op>(op));
  }
  if (!unused.empty() && !options.only) {
    std::cout << "; operations never generated: " << unused;
    if (options.programs >= 200) ++problems;  // a run that long must cover every operation
  }
  if (problems > 0) std::cout << "; " << problems << " generator/evaluator problems";
  std::cout << "\n";
  return mismatches == 0 && problems == 0 ? 0 : 1;
}
