// codegen_diff_regression_test.cpp — each disagreement the differential test (tests/diff) found
// between the generated code and the reference evaluator, reduced to a hand-built IR program
// over the difftest schema (tests/diff/program_gen.h) and run both ways: JIT-compiled through
// compiler/codegen and runtime/exec, and by compiler/ir/evaluate. Both must give the outcome
// written in the test, not merely the same one.
// Pipeline position: test-only; ir → codegen → JIT beside ir → evaluate.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <memory>
#include <new>
#include <string>
#include <variant>
#include <vector>

#include "compiler/codegen/codegen.h"
#include "compiler/ir/evaluate.h"
#include "compiler/ir/ir.h"
#include "runtime/exec/context.h"
#include "runtime/exec/engine.h"
#include "runtime/value/arena.h"
#include "tests/diff/program_gen.h"

namespace {

namespace abi = suture::abi;
namespace ir = suture::ir;
namespace runtime = suture::runtime;
namespace difftest = suture::difftest;
using ir::Expr;
using ir::ExprPtr;
using ir::Op;
using Schema = difftest::Schema;

constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();

// What a run gave: the Out record's slot `slot`, or the rejection.
struct Outcome {
  bool accepted = false;
  std::string code, path;
  abi::Value slot;
};

class CodegenRegression : public ::testing::Test {
 protected:
  void SetUp() override { schema = difftest::make_schema(m); }

  ExprPtr node(Op op, const ir::Type* t, std::vector<ExprPtr> args = {}) {
    auto e = std::make_unique<Expr>();
    e->op = op;
    e->type = t;
    e->args = std::move(args);
    return e;
  }
  template <typename... A>
  static std::vector<ExprPtr> list_of(A... a) {
    std::vector<ExprPtr> v;
    (v.push_back(std::move(a)), ...);
    return v;
  }
  ExprPtr c_int(std::int64_t i) {
    auto e = node(Op::Const, schema.t_int);
    e->integer = i;
    return e;
  }
  ExprPtr c_str(std::string s) {
    auto e = node(Op::Const, schema.t_str);
    e->text = std::move(s);
    return e;
  }
  ExprPtr local(std::uint32_t slot, const ir::Type* t) {
    auto e = node(Op::Local, t);
    e->slot = slot;
    return e;
  }
  ExprPtr in_field(std::uint32_t index, const ir::Type* t) {
    auto e = node(Op::Field, t, list_of(local(0, schema.t_in)));
    e->index = index;
    return e;
  }
  ExprPtr fail(std::string code, std::string path) {
    auto e = node(Op::Fail, schema.t_never, list_of(c_str(std::move(code)), c_str("why")));
    e->text = std::move(path);
    return e;
  }

  // `mapping f(in: In) -> Out { <out slot> = value }`.
  void set_output(std::uint32_t out_slot, ExprPtr value, std::uint32_t slot_count) {
    ir::Function f;
    f.name = "regression";
    f.symbol = "regression";
    f.params = {schema.t_in};
    f.result = schema.t_out;
    f.slot_count = slot_count;
    ir::Stmt set;
    set.op = ir::StmtOp::Set;
    set.path = {out_slot};
    set.path_types = {schema.t_out};
    set.value = std::move(value);
    f.body.push_back(std::move(set));
    m.functions.push_back(std::move(f));
    out_slot_ = out_slot;
  }

  // An In message with `li` set (every other field absent).
  abi::Value message(runtime::Arena& arena, const std::vector<std::int64_t>& li) {
    const std::uint32_t n = static_cast<std::uint32_t>(schema.in->fields.size());
    auto* r = static_cast<abi::Record*>(arena.allocate(abi::record_size(n), alignof(abi::Record)));
    r->desc = schema.in;
    r->unknown = nullptr;
    r->unknown_count = 0;
    r->slot_count = n;
    for (std::uint32_t i = 0; i < n; ++i) new (&r->slots[i]) abi::Value();
    abi::Value* items = arena.make_array<abi::Value>(li.size());
    for (std::size_t i = 0; i < li.size(); ++i) {
      items[i].kind = abi::Kind::Int;
      items[i].integer = li[i];
    }
    r->slots[Schema::kLi].kind = abi::Kind::List;
    r->slots[Schema::kLi].aux = static_cast<std::uint32_t>(li.size());
    r->slots[Schema::kLi].items = items;
    abi::Value v;
    v.kind = abi::Kind::Record;
    v.record = r;
    return v;
  }

  static Outcome outcome(bool accepted, const abi::Value& out, const runtime::ExecContext& ctx, std::uint32_t slot) {
    Outcome run;
    run.accepted = accepted;
    if (accepted) {
      run.slot = out.record->slots[slot];
    } else {
      run.code = ctx.error.code;
      run.path = ctx.error.path;
    }
    return run;
  }

  Outcome evaluated(runtime::Arena& arena, const std::vector<std::int64_t>& li) {
    runtime::ExecContext ctx;
    runtime::SchemaTables tables(m.schemas);
    tables.bind(ctx, arena);
    abi::Value out;
    const bool ok = ir::evaluate(m.functions.at(0), m, ctx, {message(arena, li)}, out);
    return outcome(ok, out, ctx, out_slot_);
  }

  Outcome compiled(runtime::Arena& arena, const std::vector<std::int64_t>& li) {
    runtime::jit::Options options;
    options.opt_level = 0;
    auto made = runtime::Engine::create(options);
    EXPECT_TRUE(std::holds_alternative<std::unique_ptr<runtime::Engine>>(made));
    engine_ = std::move(std::get<std::unique_ptr<runtime::Engine>>(made));
    auto loaded = engine_->load_ir(suture::codegen::emit_llvm_ir(m, "regression"), "regression");
    EXPECT_TRUE(std::holds_alternative<runtime::jit::ModuleHandle*>(loaded)) << std::get<std::string>(loaded);
    auto entry = engine_->entry(std::get<runtime::jit::ModuleHandle*>(loaded), "regression");
    EXPECT_TRUE(std::holds_alternative<runtime::EntryPoint>(entry));
    runtime::ExecContext ctx;
    runtime::SchemaTables tables(m.schemas);
    tables.bind(ctx, arena);
    abi::Value in = message(arena, li), out;
    const bool ok = std::get<runtime::EntryPoint>(entry)(&ctx, &out, &in) == 0;
    return outcome(ok, out, ctx, out_slot_);
  }

  ir::Module m;
  Schema schema;

 private:
  std::uint32_t out_slot_ = 0;
  std::unique_ptr<runtime::Engine> engine_;  // outlives the values its code built
};

// `fail(code, reason)` with no known JSON path rejects at "$" (ExecError's "unknown path"), not
// at "": suture_rt_fail passed the empty path through while the evaluator wrote "$".
TEST_F(CodegenRegression, FailWithoutAPathRejectsAtTheRoot) {
  set_output(Schema::kOInt, fail("NO_PATH", ""), 1);
  runtime::Arena a, b;
  for (const Outcome& run : {evaluated(a, {}), compiled(b, {})}) {
    EXPECT_FALSE(run.accepted);
    EXPECT_EQ(run.code, "NO_PATH");
    EXPECT_EQ(run.path, "$");
  }
}

// `last(x => -x < 0)` on [INT64_MIN, 3] is 3: like `first`, `last` stops at its answer, so the
// predicate never sees INT64_MIN (whose negation overflows). The generated code walked from
// the front through every element and rejected with INT_OVERFLOW.
TEST_F(CodegenRegression, LastStopsAtTheLastMatchWithoutTestingEarlierElements) {
  auto negated = node(Op::Neg, schema.t_int, list_of(local(1, schema.t_int)));
  auto predicate = node(Op::Lt, schema.t_bool, list_of(std::move(negated), c_int(0)));
  auto last = node(Op::Last, schema.t_oint, list_of(in_field(Schema::kLi, schema.t_li), std::move(predicate)));
  last->slot = 1;
  set_output(Schema::kOOint, std::move(last), 2);
  runtime::Arena a, b;
  for (const Outcome& run : {evaluated(a, {kMin, 3}), compiled(b, {kMin, 3})}) {
    ASSERT_TRUE(run.accepted) << run.code;
    EXPECT_EQ(run.slot.kind, abi::Kind::Int);
    EXPECT_EQ(run.slot.integer, 3);
  }
}

// `[].contains(fail(…))`: the argument of `contains` is evaluated once, after the list, even
// when the list is empty. The generated code evaluated it inside the loop: once per element,
// and never for an empty list (so the message was accepted).
TEST_F(CodegenRegression, ContainsEvaluatesItsArgumentOnAnEmptyList) {
  auto contains =
      node(Op::Contains, schema.t_bool, list_of(in_field(Schema::kLi, schema.t_li), fail("NEEDLE", "$.li")));
  set_output(Schema::kOBool, std::move(contains), 1);
  runtime::Arena a, b;
  for (const Outcome& run : {evaluated(a, {}), compiled(b, {})}) {
    EXPECT_FALSE(run.accepted);
    EXPECT_EQ(run.code, "NEEDLE");
    EXPECT_EQ(run.path, "$.li");
  }
}

// The same `contains` on a non-empty list that holds the needle: found, needle evaluated once.
TEST_F(CodegenRegression, ContainsFindsTheNeedle) {
  auto contains = node(Op::Contains, schema.t_bool, list_of(in_field(Schema::kLi, schema.t_li), c_int(7)));
  set_output(Schema::kOBool, std::move(contains), 1);
  runtime::Arena a, b;
  for (const Outcome& run : {evaluated(a, {1, 7, 2}), compiled(b, {1, 7, 2})}) {
    ASSERT_TRUE(run.accepted) << run.code;
    EXPECT_EQ(run.slot.kind, abi::Kind::Bool);
    EXPECT_TRUE(run.slot.boolean);
  }
}

// The generator typed `a ?? null` as `null` (b's type), an ill-typed program: code generation
// rightly treats a `null`-typed expression as always absent. It is now a's type, optional.
TEST_F(CodegenRegression, GeneratedCoalesceWithNullIsOptionalNotNull) {
  for (std::uint64_t seed = 1; seed <= 200; ++seed) difftest::generate_program(schema, seed);
  auto walk = [&](auto& self, const Expr& e) -> void {
    if (e.op == Op::Coalesce && e.type->kind == ir::TypeKind::Null) {
      EXPECT_EQ(e.args[0]->type->kind, ir::TypeKind::Null) << "a null-typed ?? whose left side may be present";
    }
    for (const auto& a : e.args) self(self, *a);
    for (const auto& entry : e.entries) self(self, *entry.value);
  };
  auto walk_body = [&](auto& self, const std::vector<ir::Stmt>& body) -> void {
    for (const ir::Stmt& s : body) {
      if (s.value) walk(walk, *s.value);
      self(self, s.body);
    }
  };
  for (const ir::Function& f : m.functions) walk_body(walk_body, f.body);
}

}  // namespace
