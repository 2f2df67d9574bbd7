// diff_main.cpp — `suture_difftest --programs N --messages M --seed S`: the differential test.
// Generates N random well-typed IR programs over a fixed schema (program_gen.h) and M random
// messages for each, runs every pair through the reference evaluator (compiler/ir/evaluate.h)
// and through the generated code (run_native below), and reports any disagreement.
// Pipeline position: test-only; exercises ir → codegen → JIT against ir → evaluate.
// --verbose prints every outcome, --print every program's IR, --program P reruns program P only.
//
// Exit status: 0 when every pair agrees (or, while run_native is not filled, when the evaluator
// ran every pair without an internal error and the generator was deterministic); 1 otherwise;
// 2 on bad arguments.
#include <array>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/ir/evaluate.h"
#include "compiler/ir/printer.h"
#include "runtime/exec/context.h"
#include "runtime/value/arena.h"
#include "tests/diff/program_gen.h"

namespace {

namespace abi = suture::abi;
namespace ir = suture::ir;
namespace runtime = suture::runtime;
namespace difftest = suture::difftest;

// What one run of a program on one message gave: the output, or the rejection.
struct Outcome {
  bool accepted = false;
  std::string output;  // difftest::describe of the Out record
  std::string code;    // rejected: ctx.error
  std::string path;
  std::string message;

  // Rejections agree on the code and the path; the message is for people.
  bool operator==(const Outcome& o) const {
    return accepted == o.accepted && (accepted ? output == o.output : code == o.code && path == o.path);
  }
  std::string text() const { return accepted ? "ok " + output : "rejected " + code + " at " + path + ": " + message; }
};

Outcome outcome_of(bool accepted, const abi::Value& out, const runtime::ExecContext& ctx) {
  Outcome o;
  o.accepted = accepted;
  if (accepted) {
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

// ═══════════════════════════════════════════════════════════════════════════════════════════
// run_native — TO BE FILLED BY THE CODE GENERATOR'S OWNER.
// Compile `f` (a function of `module`) with compiler/codegen, JIT it with runtime/jit (the
// natives registered from runtime/natives native_symbols()), call the entry point
//     int32_t f(ExecContext* ctx, abi::Value* out, const abi::Value* in)
// on `message` with `ctx` (already set up like the evaluator's: arena, records, enums), and
// return outcome_of(result == 0, out, ctx). Cache the compiled module per function symbol if
// compiling per message is too slow. Until it is filled it returns std::nullopt, and the
// program says it evaluated only — it must never return a made-up result.
// ═══════════════════════════════════════════════════════════════════════════════════════════
std::optional<Outcome> run_native(const ir::Module& module, const ir::Function& f, const abi::Value& message,
                                  runtime::ExecContext& ctx) {
  (void)module;
  (void)f;
  (void)message;
  (void)ctx;
  return std::nullopt;
}

// How often each Op occurs in the generated programs: the generator must use them all.
constexpr std::size_t kOpCount = static_cast<std::size_t>(ir::Op::IsPresent) + 1;
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
                 "[--verbose] [--print] [--program P]\n";
    return 2;
  }
  difftest::GenOptions gen;
  gen.max_depth = options.max_depth;
  gen.calls = options.calls;

  std::uint64_t accepted = 0, rejected = 0, compared = 0, mismatches = 0, problems = 0;
  std::map<std::string, std::uint64_t> rejection_codes;
  bool native_available = true;
  OpCounts op_counts{};

  const std::uint64_t first_program = options.only.value_or(0);
  const std::uint64_t end_program = options.only ? *options.only + 1 : options.programs;
  for (std::uint64_t p = first_program; p < end_program; ++p) {
    const std::uint64_t program_seed = mix(options.seed * 1'000'003 + p);
    ir::Module module;
    difftest::Schema schema = difftest::make_schema(module);
    const ir::Function& f = difftest::generate_program(schema, program_seed, gen);
    const std::string printed = ir::print(f);
    count_ops(f.body, op_counts);
    if (options.print) std::cout << "program " << p << " (seed " << program_seed << "):\n" << printed << "\n";

    // The generator is deterministic: the same seed gives the same program.
    {
      ir::Module again;
      difftest::Schema schema_again = difftest::make_schema(again);
      if (ir::print(difftest::generate_program(schema_again, program_seed, gen)) != printed) {
        std::cerr << "program " << p << " (seed " << program_seed << "): the generator is not deterministic\n";
        ++problems;
      }
    }

    for (std::uint64_t m = 0; m < options.messages; ++m) {
      const std::uint64_t message_seed = mix(program_seed ^ mix(m + 1));
      runtime::Arena arena;
      const abi::Value message = difftest::generate_message(schema, arena, message_seed);
      runtime::ExecContext ctx = make_context(schema, arena);
      abi::Value out;
      const bool ok = ir::evaluate(f, module, ctx, {message}, out);
      const Outcome expected = outcome_of(ok, out, ctx);
      if (ok) {
        ++accepted;
      } else {
        ++rejected;
        ++rejection_codes[ctx.error.code];
      }
      if (!ok && ctx.error.code == "EVALUATOR_INTERNAL") {
        std::cerr << "program " << p << " message " << m << ": " << expected.text() << "\n" << printed << "\n";
        ++problems;
      }
      if (options.verbose) std::cout << "program " << p << " message " << m << ": " << expected.text() << "\n";

      if (!native_available) continue;
      runtime::Arena native_arena;
      const abi::Value native_message = difftest::generate_message(schema, native_arena, message_seed);
      runtime::ExecContext native_ctx = make_context(schema, native_arena);
      std::optional<Outcome> actual = run_native(module, f, native_message, native_ctx);
      if (!actual) {
        native_available = false;
        continue;
      }
      ++compared;
      if (!(*actual == expected)) {
        ++mismatches;
        std::cerr << "MISMATCH program " << p << " (seed " << program_seed << ") message " << m << " (seed "
                  << message_seed << ")\n  message:   " << difftest::describe(message)
                  << "\n  evaluator: " << expected.text() << "\n  native:    " << actual->text() << "\n"
                  << printed << "\n";
      }
    }
  }

  std::cout << "suture_difftest: " << (end_program - first_program) << " programs x " << options.messages
            << " messages (seed " << options.seed << "): " << accepted << " accepted, " << rejected << " rejected (";
  bool first = true;
  for (const auto& [code, n] : rejection_codes) {
    std::cout << (first ? "" : ", ") << code << " " << n;
    first = false;
  }
  std::cout << ")";
  if (native_available && compared > 0) {
    std::cout << "; " << compared << " compared with the generated code, " << mismatches << " mismatches";
  } else {
    std::cout << "; EVALUATING ONLY: nothing was compared with generated code (run_native is not filled in yet)";
  }
  std::string unused;
  for (std::size_t op = 0; op < kOpCount; ++op) {
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
