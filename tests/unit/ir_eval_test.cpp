// ir_eval_test.cpp — the reference evaluator (compiler/ir/evaluate.h) on hand-built IR: each
// core operation, the semantic edge cases (absent lists, Int overflow, division and modulo,
// short circuits, ties in min/max, first occurrences in distinct), statements, and a few
// operations it leaves to the natives.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "compiler/ir/evaluate.h"
#include "compiler/ir/ir.h"
#include "runtime/exec/context.h"
#include "runtime/value/arena.h"

namespace {

namespace abi = suture::abi;
namespace ir = suture::ir;
namespace runtime = suture::runtime;
using ir::Expr;
using ir::ExprPtr;
using ir::Op;
using ir::TypeKind;

constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();

struct Result {
  bool ok = false;
  abi::Value value;  // Out slot 0 when ok
  const abi::Record* out = nullptr;
};

class EvalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    abi::EnumDesc& c = m.schemas.add_enum("Color");
    c.codes = {"red", "green", "entered-in-error"};
    abi::RecordDesc& rec = m.schemas.add_record("Rec");
    rec.fields.push_back(field("n", abi::Kind::Int));
    rec.fields.push_back(field("s", abi::Kind::String, true));
    abi::RecordDesc& out = m.schemas.add_record("Out");
    out.fields.push_back(field("a", abi::Kind::Json));
    out.fields.push_back(field("b", abi::Kind::Json));
    abi::FieldDesc r = field("r", abi::Kind::Record, true);
    r.type.record = &rec;
    out.fields.push_back(r);
    m.schemas.finish();
    for (const auto& d : m.schemas.records()) records.push_back(&d);
    for (const auto& d : m.schemas.enums()) enums.push_back(&d);

    t_bool = m.scalar(TypeKind::Bool);
    t_int = m.scalar(TypeKind::Int);
    t_oint = m.scalar(TypeKind::Int, true);
    ir::Type f = *t_int;
    f.fallible = true;
    t_fint = m.type(f);
    t_str = m.scalar(TypeKind::String);
    t_ostr = m.scalar(TypeKind::String, true);
    t_null = m.scalar(TypeKind::Null);
    t_never = m.scalar(TypeKind::Never);
    ir::Type color;
    color.kind = TypeKind::Enum;
    color.enumeration = &c;
    t_color = m.type(color);
    t_rec = record_type(0);
    t_out = record_type(1);
    t_li = m.list(t_int);
    t_ls = m.list(t_str);
    t_lr = m.list(t_rec);

    ctx.arena = &arena;
    ctx.records = records.data();
    ctx.enums = enums.data();
  }

  static abi::FieldDesc field(std::string name, abi::Kind kind, bool optional = false) {
    abi::FieldDesc f;
    f.name = std::move(name);
    f.type.kind = kind;
    f.type.optional = optional;
    return f;
  }
  const ir::Type* record_type(std::uint32_t index) {
    ir::Type t;
    t.kind = TypeKind::Record;
    t.record = records[index];
    t.record_index = index;
    return m.type(t);
  }

  // ── expression builders ──
  static ExprPtr node(Op op, const ir::Type* t, std::vector<ExprPtr> args = {}) {
    auto e = std::make_unique<Expr>();
    e->op = op;
    e->type = t;
    e->args = std::move(args);
    return e;
  }
  template <typename... A>
  static std::vector<ExprPtr> args(A... a) {
    std::vector<ExprPtr> v;
    (v.push_back(std::move(a)), ...);
    return v;
  }
  ExprPtr i(std::int64_t v) {
    auto e = node(Op::Const, t_int);
    e->integer = v;
    return e;
  }
  ExprPtr s(std::string v) {
    auto e = node(Op::Const, t_str);
    e->text = std::move(v);
    return e;
  }
  ExprPtr b(bool v) {
    auto e = node(Op::Const, t_bool);
    e->integer = v;
    return e;
  }
  ExprPtr null() { return node(Op::Const, t_null); }
  ExprPtr local(std::uint32_t slot, const ir::Type* t) {
    auto e = node(Op::Local, t);
    e->slot = slot;
    return e;
  }
  ExprPtr bin(Op op, const ir::Type* t, ExprPtr a, ExprPtr c) { return node(op, t, args(std::move(a), std::move(c))); }
  ExprPtr ints(const std::vector<std::int64_t>& xs) {
    auto e = node(Op::ListLit, t_li);
    for (auto x : xs) e->args.push_back(i(x));
    return e;
  }
  ExprPtr strs(const std::vector<std::string>& xs) {
    auto e = node(Op::ListLit, t_ls);
    for (const auto& x : xs) e->args.push_back(s(x));
    return e;
  }
  ExprPtr fail(ExprPtr code, ExprPtr reason, std::string path = "") {
    auto e = node(Op::Fail, t_never, args(std::move(code), std::move(reason)));
    e->text = std::move(path);
    return e;
  }
  // op(list, slot => body)
  ExprPtr lambda(Op op, const ir::Type* t, ExprPtr list, std::uint32_t slot, ExprPtr body) {
    auto e = node(op, t, args(std::move(list), std::move(body)));
    e->slot = slot;
    return e;
  }

  // Runs a function whose body is `Out.a = e` (with `params` in slots 0…).
  Result run(ExprPtr e, const std::vector<abi::Value>& params = {}) {
    ir::Function f;
    f.name = f.symbol = "t";
    for (std::size_t k = 0; k < params.size(); ++k) f.params.push_back(t_int);
    f.slot_count = 16;
    f.result = t_out;
    ir::Stmt set;
    set.op = ir::StmtOp::Set;
    set.path = {0};
    set.path_types = {t_out};
    set.value = std::move(e);
    f.body.push_back(std::move(set));
    return run_function(f, params);
  }
  Result run_function(const ir::Function& f, const std::vector<abi::Value>& params = {}) {
    ctx.clear();
    abi::Value out;
    Result r;
    r.ok = ir::evaluate(f, m, ctx, params, out);
    if (r.ok) {
      EXPECT_EQ(out.kind, abi::Kind::Record);
      r.out = out.record;
      r.value = out.record->slots[0];
    }
    return r;
  }
  std::int64_t run_int(ExprPtr e) {
    Result r = run(std::move(e));
    EXPECT_TRUE(r.ok) << ctx.error.code << ": " << ctx.error.message;
    EXPECT_EQ(r.value.kind, abi::Kind::Int);
    return r.value.integer;
  }
  bool run_bool(ExprPtr e) {
    Result r = run(std::move(e));
    EXPECT_TRUE(r.ok) << ctx.error.code << ": " << ctx.error.message;
    EXPECT_EQ(r.value.kind, abi::Kind::Bool);
    return r.value.boolean;
  }
  std::string run_str(ExprPtr e) {
    Result r = run(std::move(e));
    EXPECT_TRUE(r.ok) << ctx.error.code << ": " << ctx.error.message;
    EXPECT_EQ(r.value.kind, abi::Kind::String);
    return std::string(r.value.str());
  }
  std::vector<std::int64_t> run_ints(ExprPtr e) {
    Result r = run(std::move(e));
    EXPECT_TRUE(r.ok) << ctx.error.code << ": " << ctx.error.message;
    std::vector<std::int64_t> xs;
    if (r.value.kind == abi::Kind::List)
      for (std::uint32_t k = 0; k < r.value.aux; ++k) xs.push_back(r.value.items[k].integer);
    else
      EXPECT_EQ(r.value.kind, abi::Kind::Absent);
    return xs;
  }
  bool absent(ExprPtr e) {
    Result r = run(std::move(e));
    EXPECT_TRUE(r.ok) << ctx.error.code << ": " << ctx.error.message;
    return !r.value.present();
  }
  std::string rejected(ExprPtr e) {
    Result r = run(std::move(e));
    EXPECT_FALSE(r.ok);
    EXPECT_TRUE(ctx.failed);
    return ctx.error.code;
  }

  static abi::Value int_value(std::int64_t v) {
    abi::Value x;
    x.kind = abi::Kind::Int;
    x.integer = v;
    return x;
  }

  ir::Module m;
  std::vector<const abi::RecordDesc*> records;
  std::vector<const abi::EnumDesc*> enums;
  runtime::Arena arena;
  runtime::ExecContext ctx;
  const ir::Type *t_bool, *t_int, *t_oint, *t_fint, *t_str, *t_ostr, *t_null, *t_never, *t_color, *t_rec, *t_out, *t_li,
      *t_ls, *t_lr;
};

// ───────────────────────────── leaves and structure ─────────────────────────────

TEST_F(EvalTest, ConstantsDecodeByType) {
  EXPECT_EQ(run_int(i(-42)), -42);
  EXPECT_EQ(run_str(s("h\xc3\xa9llo")), "h\xc3\xa9llo");
  EXPECT_TRUE(run_bool(b(true)));
  EXPECT_TRUE(absent(null()));

  auto e = node(Op::Const, t_color);
  e->integer = 2;
  Result r = run(std::move(e));
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.value.kind, abi::Kind::Enum);
  EXPECT_EQ(r.value.aux, 2u);
  EXPECT_EQ(std::string(r.value.text), "entered-in-error");

  auto dur = node(Op::Const, m.scalar(TypeKind::Duration));
  dur->integer = 1500;
  r = run(std::move(dur));
  EXPECT_EQ(r.value.kind, abi::Kind::Duration);
  EXPECT_EQ(r.value.integer, 1500);

  auto dec = node(Op::Const, m.scalar(TypeKind::Decimal));
  dec->text = "1.50";
  r = run(std::move(dec));
  EXPECT_EQ(r.value.kind, abi::Kind::Decimal);
  EXPECT_EQ(r.value.str(), "1.50");
}

TEST_F(EvalTest, TemporalConstantsCarryPrecisionAndOffset) {
  auto temporal = [&](TypeKind k, std::string text) {
    auto e = node(Op::Const, m.scalar(k));
    e->text = std::move(text);
    return run(std::move(e)).value;
  };
  abi::Value d = temporal(TypeKind::Date, "2024-03");
  EXPECT_EQ(d.kind, abi::Kind::Date);
  EXPECT_EQ(d.precision, abi::Precision::Month);
  EXPECT_EQ(d.str(), "2024-03");
  EXPECT_EQ(temporal(TypeKind::Date, "2024").precision, abi::Precision::Year);
  EXPECT_EQ(temporal(TypeKind::Date, "2024-03-15").precision, abi::Precision::Day);

  abi::Value dt = temporal(TypeKind::DateTime, "2024-03-15T10:30:00.123+02:00");
  EXPECT_EQ(dt.precision, abi::Precision::Fraction);
  EXPECT_EQ(dt.flags & abi::kHasOffset, abi::kHasOffset);
  abi::Value naive = temporal(TypeKind::DateTime, "2024-03-15T10:30");
  EXPECT_EQ(naive.precision, abi::Precision::Minute);
  EXPECT_EQ(naive.flags & abi::kHasOffset, 0);

  abi::Value t = temporal(TypeKind::Time, "T10:30:15");  // the `@T…` literal
  EXPECT_EQ(t.kind, abi::Kind::Time);
  EXPECT_EQ(t.str(), "10:30:15");
  EXPECT_EQ(t.precision, abi::Precision::Second);
}

TEST_F(EvalTest, LetLocalIfAndParameters) {
  // let x = 20 in x + p0
  auto let = node(Op::Let, t_int, args(i(20), bin(Op::Add, t_int, local(3, t_int), local(0, t_int))));
  let->slot = 3;
  Result r = run(std::move(let), {int_value(22)});
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.value.integer, 42);

  EXPECT_EQ(run_int(node(Op::If, t_int, args(b(true), i(1), i(2)))), 1);
  EXPECT_EQ(run_int(node(Op::If, t_int, args(b(false), i(1), i(2)))), 2);
  // The branch not taken is not evaluated.
  EXPECT_EQ(run_int(node(Op::If, t_int, args(b(false), fail(null(), s("no")), i(2)))), 2);
}

TEST_F(EvalTest, FieldsOfRecordsAndAbsentBases) {
  auto lit = node(Op::RecordLit, t_rec, args(s("x"), i(7)));
  lit->fields = {1, 0};
  auto f = node(Op::Field, t_int, args(std::move(lit)));
  f->index = 0;
  EXPECT_EQ(run_int(std::move(f)), 7);

  auto chained = node(Op::Field, t_oint, args(null()));
  chained->index = 0;
  chained->chain = true;
  EXPECT_TRUE(absent(std::move(chained)));

  // An unset field of a record literal is absent.
  auto partial = node(Op::RecordLit, t_rec, args(i(1)));
  partial->fields = {0};
  auto s_field = node(Op::Field, t_ostr, args(std::move(partial)));
  s_field->index = 1;
  EXPECT_TRUE(absent(std::move(s_field)));
}

TEST_F(EvalTest, IndexAndCoalesce) {
  EXPECT_EQ(run_int(bin(Op::Index, t_oint, ints({5, 6, 7}), i(2))), 7);
  EXPECT_TRUE(absent(bin(Op::Index, t_oint, ints({5, 6, 7}), i(3))));
  EXPECT_TRUE(absent(bin(Op::Index, t_oint, ints({5, 6, 7}), i(-1))));
  EXPECT_TRUE(absent(bin(Op::Index, t_oint, null(), i(0))));

  EXPECT_EQ(run_int(bin(Op::Coalesce, t_int, null(), i(3))), 3);
  // `??` is lazy: a present left side never evaluates the right.
  EXPECT_EQ(run_int(bin(Op::Coalesce, t_int, i(1), fail(null(), s("no")))), 1);
}

TEST_F(EvalTest, FailRejectsWithCodeReasonAndPath) {
  EXPECT_EQ(rejected(fail(null(), s("gone"), "$.id")), "FAILED");
  EXPECT_EQ(ctx.error.message, "gone");
  EXPECT_EQ(ctx.error.path, "$.id");
  EXPECT_EQ(rejected(fail(s("PATIENT_NO_ID"), bin(Op::Concat, t_str, s("no "), s("id")))), "PATIENT_NO_ID");
  EXPECT_EQ(ctx.error.message, "no id");
  EXPECT_EQ(ctx.error.path, "$");
}

// ───────────────────────────── logic and comparisons ─────────────────────────────

TEST_F(EvalTest, LogicShortCircuits) {
  EXPECT_FALSE(run_bool(node(Op::Not, t_bool, args(b(true)))));
  EXPECT_FALSE(run_bool(bin(Op::And, t_bool, b(false), fail(null(), s("no")))));
  EXPECT_TRUE(run_bool(bin(Op::Or, t_bool, b(true), fail(null(), s("no")))));
  EXPECT_TRUE(run_bool(bin(Op::And, t_bool, b(true), b(true))));
  EXPECT_FALSE(run_bool(bin(Op::Or, t_bool, b(false), b(false))));
  EXPECT_EQ(rejected(bin(Op::And, t_bool, b(true), fail(null(), s("yes")))), "FAILED");
}

TEST_F(EvalTest, EqualityWithAbsentAndByKind) {
  EXPECT_TRUE(run_bool(bin(Op::Eq, t_bool, null(), null())));
  EXPECT_FALSE(run_bool(bin(Op::Eq, t_bool, null(), s("a"))));
  EXPECT_TRUE(run_bool(bin(Op::Ne, t_bool, s("a"), null())));
  EXPECT_TRUE(run_bool(bin(Op::Eq, t_bool, s("\xc3\xa9"), s("\xc3\xa9"))));
  EXPECT_FALSE(run_bool(bin(Op::Eq, t_bool, s("a"), s("A"))));
  EXPECT_TRUE(run_bool(bin(Op::Eq, t_bool, i(3), i(3))));
  EXPECT_TRUE(run_bool(bin(Op::Ne, t_bool, b(true), b(false))));
  auto red = node(Op::Const, t_color);
  auto red2 = node(Op::Const, t_color);
  EXPECT_TRUE(run_bool(bin(Op::Eq, t_bool, std::move(red), std::move(red2))));
}

TEST_F(EvalTest, OrderingOfIntsAndStringsBytewise) {
  EXPECT_TRUE(run_bool(bin(Op::Lt, t_bool, i(-2), i(1))));
  EXPECT_TRUE(run_bool(bin(Op::Ge, t_bool, i(1), i(1))));
  EXPECT_FALSE(run_bool(bin(Op::Gt, t_bool, i(1), i(1))));
  EXPECT_TRUE(run_bool(bin(Op::Le, t_bool, i(kMin), i(kMax))));
  EXPECT_TRUE(run_bool(bin(Op::Lt, t_bool, s("B"), s("a"))));         // bytes, not case-folded
  EXPECT_TRUE(run_bool(bin(Op::Lt, t_bool, s("z"), s("\xc3\xa9"))));  // UTF-8 bytes sort as unsigned
  EXPECT_TRUE(run_bool(bin(Op::Lt, t_bool, s(""), s("a"))));
  EXPECT_TRUE(run_bool(bin(Op::Lt, t_bool, s("ab"), s("abc"))));
}

// ───────────────────────────── arithmetic ─────────────────────────────

TEST_F(EvalTest, IntArithmeticAndOverflow) {
  EXPECT_EQ(run_int(bin(Op::Add, t_int, i(2), i(3))), 5);
  EXPECT_EQ(run_int(bin(Op::Sub, t_int, i(2), i(3))), -1);
  EXPECT_EQ(run_int(bin(Op::Mul, t_int, i(-4), i(3))), -12);
  EXPECT_EQ(run_int(node(Op::Neg, t_int, args(i(5)))), -5);
  EXPECT_EQ(rejected(bin(Op::Add, t_int, i(kMax), i(1))), "INT_OVERFLOW");
  EXPECT_EQ(rejected(bin(Op::Sub, t_int, i(kMin), i(1))), "INT_OVERFLOW");
  EXPECT_EQ(rejected(bin(Op::Mul, t_int, i(3037000500), i(3037000500))), "INT_OVERFLOW");
  EXPECT_EQ(rejected(node(Op::Neg, t_int, args(i(kMin)))), "INT_OVERFLOW");
  EXPECT_EQ(run_int(bin(Op::Add, t_int, i(kMax), i(kMin))), -1);
}

TEST_F(EvalTest, DivisionTruncatesAndFailsOnZero) {
  EXPECT_EQ(run_int(bin(Op::Div, t_fint, i(7), i(2))), 3);
  EXPECT_EQ(run_int(bin(Op::Div, t_fint, i(-7), i(2))), -3);
  EXPECT_EQ(run_int(bin(Op::Div, t_fint, i(7), i(-2))), -3);
  EXPECT_EQ(run_int(bin(Op::Mod, t_fint, i(-7), i(2))), -1);
  EXPECT_EQ(run_int(bin(Op::Mod, t_fint, i(7), i(-2))), 1);
  EXPECT_TRUE(absent(bin(Op::Div, t_fint, i(7), i(0))));
  EXPECT_TRUE(absent(bin(Op::Mod, t_fint, i(7), i(0))));
  EXPECT_EQ(run_int(bin(Op::Coalesce, t_int, bin(Op::Div, t_fint, i(1), i(0)), i(-9))), -9);
  EXPECT_EQ(rejected(bin(Op::Div, t_fint, i(kMin), i(-1))), "INT_OVERFLOW");
  EXPECT_EQ(run_int(bin(Op::Mod, t_fint, i(kMin), i(-1))), 0);
}

TEST_F(EvalTest, ConcatenatesStringsAndLists) {
  EXPECT_EQ(run_str(bin(Op::Concat, t_str, s("ab"), s("\xc3\xa9"))), "ab\xc3\xa9");
  EXPECT_EQ(run_ints(bin(Op::Concat, t_li, ints({1, 2}), ints({3}))), (std::vector<std::int64_t>{1, 2, 3}));
  EXPECT_EQ(run_ints(bin(Op::Concat, t_li, null(), ints({3}))), (std::vector<std::int64_t>{3}));
  EXPECT_EQ(run_ints(bin(Op::Concat, t_li, null(), null())), (std::vector<std::int64_t>{}));
}

// ───────────────────────────── tables ─────────────────────────────

TEST_F(EvalTest, TablesByStringIntAndEnum) {
  auto table = [&](ExprPtr key, const std::vector<std::pair<std::string, std::int64_t>>& entries, ExprPtr fallback) {
    auto t = node(Op::Table, fallback ? t_int : t_fint, args(std::move(key)));
    for (const auto& [k, v] : entries) {
      ir::TableEntry entry;
      entry.key = k;
      entry.key_int = v * 100;  // int and enum keys: the value's key, for these tests
      entry.value = i(v);
      t->entries.push_back(std::move(entry));
    }
    if (fallback) {
      t->index = 1;
      t->args.push_back(std::move(fallback));
    }
    return t;
  };
  EXPECT_EQ(run_int(table(s("b"), {{"a", 1}, {"b", 2}}, nullptr)), 2);
  EXPECT_TRUE(absent(table(s("c"), {{"a", 1}, {"b", 2}}, nullptr)));
  EXPECT_EQ(run_int(table(s("c"), {{"a", 1}, {"b", 2}}, i(9))), 9);
  EXPECT_EQ(run_int(table(null(), {{"a", 1}}, i(9))), 9);
  EXPECT_EQ(run_int(table(i(200), {{"100", 1}, {"200", 2}}, nullptr)), 2);
  auto green = node(Op::Const, t_color);
  green->integer = 1;
  // enum keys compare by member index (key_int 100 ↔ index 1 is not a hit; 0 ↔ red)
  EXPECT_EQ(run_int(table(std::move(green), {{"red", 0}, {"green", 1}}, i(9))), 9);
  auto red = node(Op::Const, t_color);
  EXPECT_EQ(run_int(table(std::move(red), {{"red", 0}, {"green", 1}}, i(9))), 0);
}

// ───────────────────────────── literals and collections ─────────────────────────────

TEST_F(EvalTest, ListAndRecordLiterals) {
  Result r = run(ints({}));
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.value.kind, abi::Kind::List);
  EXPECT_EQ(r.value.aux, 0u);

  auto lit = node(Op::RecordLit, t_rec, args(i(1), s("x")));
  lit->fields = {0, 1};
  r = run(std::move(lit));
  ASSERT_TRUE(r.ok);
  ASSERT_EQ(r.value.kind, abi::Kind::Record);
  EXPECT_EQ(r.value.record->desc, records[0]);
  EXPECT_EQ(r.value.record->slot_count, 2u);
  EXPECT_EQ(r.value.record->slots[0].integer, 1);
  EXPECT_EQ(r.value.record->slots[1].str(), "x");
}

TEST_F(EvalTest, FirstAndLastWithAndWithoutPredicate) {
  EXPECT_EQ(run_int(node(Op::First, t_oint, args(ints({4, 5, 6})))), 4);
  EXPECT_EQ(run_int(node(Op::Last, t_oint, args(ints({4, 5, 6})))), 6);
  EXPECT_TRUE(absent(node(Op::First, t_oint, args(null()))));
  EXPECT_TRUE(absent(node(Op::Last, t_oint, args(ints({})))));
  EXPECT_EQ(run_int(lambda(Op::First, t_oint, ints({4, 5, 6, 7}), 5, bin(Op::Gt, t_bool, local(5, t_int), i(4)))), 5);
  EXPECT_EQ(run_int(lambda(Op::Last, t_oint, ints({4, 5, 6, 7}), 5, bin(Op::Lt, t_bool, local(5, t_int), i(6)))), 5);
  EXPECT_TRUE(absent(lambda(Op::First, t_oint, ints({4, 5}), 5, b(false))));
}

TEST_F(EvalTest, AnyAllCount) {
  EXPECT_FALSE(run_bool(lambda(Op::Any, t_bool, ints({}), 5, b(true))));
  EXPECT_TRUE(run_bool(lambda(Op::All, t_bool, null(), 5, b(false))));
  EXPECT_TRUE(run_bool(lambda(Op::Any, t_bool, ints({1, 2}), 5, bin(Op::Eq, t_bool, local(5, t_int), i(2)))));
  EXPECT_FALSE(run_bool(lambda(Op::All, t_bool, ints({1, 2}), 5, bin(Op::Eq, t_bool, local(5, t_int), i(2)))));
  // any stops at the first match: the failing element after it is never tested
  auto stop =
      lambda(Op::Any, t_bool, ints({1, 0}), 5,
             node(Op::If, t_bool, args(bin(Op::Eq, t_bool, local(5, t_int), i(0)), fail(null(), s("late")), b(true))));
  EXPECT_TRUE(run_bool(std::move(stop)));
  EXPECT_EQ(run_int(node(Op::Count, t_int, args(ints({1, 2, 3})))), 3);
  EXPECT_EQ(run_int(lambda(Op::Count, t_int, ints({1, 2, 3}), 5, bin(Op::Ge, t_bool, local(5, t_int), i(2)))), 2);
}

TEST_F(EvalTest, FilterMapFlatMap) {
  EXPECT_EQ(run_ints(lambda(Op::Filter, t_li, ints({1, 2, 3, 4}), 5,
                            bin(Op::Eq, t_bool,
                                bin(Op::Coalesce, t_int, bin(Op::Mod, t_fint, local(5, t_int), i(2)), i(0)), i(0)))),
            (std::vector<std::int64_t>{2, 4}));
  EXPECT_EQ(run_ints(lambda(Op::Map, t_li, ints({1, 2}), 5, bin(Op::Mul, t_int, local(5, t_int), i(10)))),
            (std::vector<std::int64_t>{10, 20}));
  EXPECT_EQ(run_ints(lambda(Op::Map, t_li, null(), 5, i(1))), (std::vector<std::int64_t>{}));
  auto pair = node(Op::ListLit, t_li, args(local(5, t_int), local(5, t_int)));
  EXPECT_EQ(run_ints(lambda(Op::FlatMap, t_li, ints({1, 2}), 5, std::move(pair))),
            (std::vector<std::int64_t>{1, 1, 2, 2}));
  // a lambda body yielding an absent list contributes nothing
  EXPECT_EQ(run_ints(lambda(Op::FlatMap, t_li, ints({1, 2}), 5, null())), (std::vector<std::int64_t>{}));
  // nested lambdas see their own bindings
  auto inner = lambda(Op::Map, t_li, ints({10, 20}), 6, bin(Op::Add, t_int, local(5, t_int), local(6, t_int)));
  EXPECT_EQ(run_ints(lambda(Op::FlatMap, t_li, ints({1, 2}), 5, std::move(inner))),
            (std::vector<std::int64_t>{11, 21, 12, 22}));
}

TEST_F(EvalTest, SizeIsEmptyContains) {
  EXPECT_EQ(run_int(node(Op::Size, t_int, args(ints({1, 2})))), 2);
  EXPECT_EQ(run_int(node(Op::Size, t_int, args(null()))), 0);
  EXPECT_TRUE(run_bool(node(Op::IsEmpty, t_bool, args(null()))));
  EXPECT_FALSE(run_bool(node(Op::IsEmpty, t_bool, args(ints({0})))));
  EXPECT_TRUE(run_bool(bin(Op::Contains, t_bool, strs({"a", "\xc3\xa9"}), s("\xc3\xa9"))));
  EXPECT_FALSE(run_bool(bin(Op::Contains, t_bool, ints({1, 2}), i(3))));
  EXPECT_FALSE(run_bool(bin(Op::Contains, t_bool, null(), i(3))));
}

TEST_F(EvalTest, SumMinMax) {
  EXPECT_EQ(run_int(node(Op::Sum, t_int, args(ints({1, 2, -4})))), -1);
  EXPECT_EQ(run_int(node(Op::Sum, t_int, args(ints({})))), 0);
  EXPECT_EQ(run_int(node(Op::Sum, t_int, args(null()))), 0);
  EXPECT_EQ(rejected(node(Op::Sum, t_int, args(ints({kMax, 1})))), "INT_OVERFLOW");
  EXPECT_EQ(run_int(node(Op::Min, t_oint, args(ints({3, -1, 2})))), -1);
  EXPECT_EQ(run_int(node(Op::Max, t_oint, args(ints({3, -1, 7})))), 7);
  EXPECT_TRUE(absent(node(Op::Min, t_oint, args(ints({})))));
  EXPECT_TRUE(absent(node(Op::Max, t_oint, args(null()))));
  EXPECT_EQ(run_str(node(Op::Max, t_ostr, args(strs({"b", "\xc3\xa9", "a"})))), "\xc3\xa9");
}

TEST_F(EvalTest, DistinctTakeSkip) {
  EXPECT_EQ(run_ints(node(Op::Distinct, t_li, args(ints({3, 1, 3, 2, 1})))), (std::vector<std::int64_t>{3, 1, 2}));
  EXPECT_EQ(run_ints(bin(Op::Take, t_li, ints({1, 2, 3}), i(2))), (std::vector<std::int64_t>{1, 2}));
  EXPECT_EQ(run_ints(bin(Op::Take, t_li, ints({1, 2, 3}), i(9))), (std::vector<std::int64_t>{1, 2, 3}));
  EXPECT_EQ(run_ints(bin(Op::Take, t_li, ints({1, 2, 3}), i(-1))), (std::vector<std::int64_t>{}));
  EXPECT_EQ(run_ints(bin(Op::Skip, t_li, ints({1, 2, 3}), i(2))), (std::vector<std::int64_t>{3}));
  EXPECT_EQ(run_ints(bin(Op::Skip, t_li, ints({1, 2, 3}), i(-5))), (std::vector<std::int64_t>{1, 2, 3}));
  EXPECT_EQ(run_ints(bin(Op::Skip, t_li, ints({1, 2, 3}), i(kMax))), (std::vector<std::int64_t>{}));
}

TEST_F(EvalTest, IsPresent) {
  EXPECT_FALSE(run_bool(node(Op::IsPresent, t_bool, args(null()))));
  EXPECT_TRUE(run_bool(node(Op::IsPresent, t_bool, args(i(0)))));
  abi::Value explicit_null;
  explicit_null.kind = abi::Kind::Null;
  Result r = run(node(Op::IsPresent, t_bool, args(local(0, t_oint))), {explicit_null});
  ASSERT_TRUE(r.ok);
  EXPECT_FALSE(r.value.boolean);
}

// ───────────────────────────── statements ─────────────────────────────

TEST_F(EvalTest, StatementsLetWhenAndNestedPaths) {
  ir::Function f;
  f.name = f.symbol = "stmts";
  f.slot_count = 4;
  f.result = t_out;
  ir::Stmt let;
  let.op = ir::StmtOp::Let;
  let.slot = 1;
  let.value = i(41);
  f.body.push_back(std::move(let));
  ir::Stmt a;
  a.op = ir::StmtOp::Set;
  a.path = {0};
  a.path_types = {t_out};
  a.value = bin(Op::Add, t_int, local(1, t_int), i(1));
  f.body.push_back(std::move(a));
  // when false { b = 1 }
  ir::Stmt skipped;
  skipped.op = ir::StmtOp::When;
  skipped.value = b(false);
  ir::Stmt b_set;
  b_set.op = ir::StmtOp::Set;
  b_set.path = {1};
  b_set.path_types = {t_out};
  b_set.value = i(1);
  skipped.body.push_back(std::move(b_set));
  f.body.push_back(std::move(skipped));
  // when true { r.n = 5; r.s = "x" }: the record on the way is made once
  ir::Stmt taken;
  taken.op = ir::StmtOp::When;
  taken.value = b(true);
  ir::Stmt rn;
  rn.op = ir::StmtOp::Set;
  rn.path = {2, 0};
  rn.path_types = {t_out, t_rec};
  rn.value = i(5);
  taken.body.push_back(std::move(rn));
  ir::Stmt rs;
  rs.op = ir::StmtOp::Set;
  rs.path = {2, 1};
  rs.path_types = {t_out, t_rec};
  rs.value = s("x");
  taken.body.push_back(std::move(rs));
  f.body.push_back(std::move(taken));

  Result r = run_function(f);
  ASSERT_TRUE(r.ok) << ctx.error.code;
  EXPECT_EQ(r.out->desc, records[1]);
  EXPECT_EQ(r.out->slots[0].integer, 42);
  EXPECT_EQ(r.out->slots[1].kind, abi::Kind::Absent);
  ASSERT_EQ(r.out->slots[2].kind, abi::Kind::Record);
  const abi::Record* inner = r.out->slots[2].record;
  EXPECT_EQ(inner->desc, records[0]);
  EXPECT_EQ(inner->slots[0].integer, 5);
  EXPECT_EQ(inner->slots[1].str(), "x");
}

TEST_F(EvalTest, TheFirstFailureRejectsTheWholeMessage) {
  ir::Function f;
  f.name = f.symbol = "two";
  f.slot_count = 1;
  f.result = t_out;
  for (const char* code : {"FIRST", "SECOND"}) {
    ir::Stmt set;
    set.op = ir::StmtOp::Set;
    set.path = {0};
    set.path_types = {t_out};
    set.value = fail(s(code), s("r"));
    f.body.push_back(std::move(set));
  }
  Result r = run_function(f);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(ctx.error.code, "FIRST");
}

// ───────────────────────────── through the natives ─────────────────────────────

TEST_F(EvalTest, StandardFunctionsGoThroughTheNatives) {
  auto call = [&](const char* name, const ir::Type* t, std::vector<ExprPtr> a, bool fallible = false) {
    auto e = node(Op::Call, t, std::move(a));
    e->text = name;
    e->fallible = fallible;
    return e;
  };
  EXPECT_EQ(run_int(call("length", t_int, args(s("h\xc3\xa9llo")))), 5);
  EXPECT_EQ(run_str(call("upper", t_str, args(s("abc")))), "ABC");
  EXPECT_EQ(run_int(call("parse_int", t_fint, args(s("-12")), true)), -12);
  EXPECT_TRUE(absent(call("parse_int", t_fint, args(s("x")), true)));
  auto green = node(Op::Const, t_color);
  green->integer = 1;
  EXPECT_EQ(run_str(call("to_string", t_str, args(std::move(green)))), "green");
}

TEST_F(EvalTest, DecimalOperatorsGoThroughTheNatives) {
  auto dec = [&](std::string text) {
    auto e = node(Op::Const, m.scalar(TypeKind::Decimal));
    e->text = std::move(text);
    return e;
  };
  const ir::Type* t_dec = m.scalar(TypeKind::Decimal);
  EXPECT_TRUE(run_bool(bin(Op::Eq, t_bool, dec("1.50"), dec("1.5"))));
  EXPECT_TRUE(run_bool(bin(Op::Lt, t_bool, dec("1.5"), dec("10"))));
  Result r = run(bin(Op::Add, t_dec, dec("1.50"), dec("2.25")));
  ASSERT_TRUE(r.ok) << ctx.error.code;
  EXPECT_EQ(r.value.kind, abi::Kind::Decimal);
  EXPECT_EQ(r.value.str(), "3.75");
}

}  // namespace
