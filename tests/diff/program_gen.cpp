// program_gen.cpp — the random program and message generators of the differential test (see
// program_gen.h). Every expression is built at a requested type from a small grammar per type,
// so the programs are well typed by construction: a `T!` is always consumed by `??`, an
// optional is read through `?.`, `??` or a null test, lambdas bind fresh slots.
#include "tests/diff/program_gen.h"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <limits>
#include <new>
#include <string_view>

namespace suture::difftest {
namespace {

using ir::Expr;
using ir::ExprPtr;
using ir::Op;
using ir::TypeKind;

// The value types the generator builds expressions of.
enum class G { Int, OInt, Str, OStr, Bool, LInt, LStr, LRec, Rec, ORec, Color };

// Strings of constants and messages: empty, ASCII, non-ASCII (2, 3 and 4-byte UTF-8), numeric
// text for parse_int, and bytes that sort differently signed and unsigned.
const std::vector<std::string>& string_pool() {
  static const std::vector<std::string> pool = {
      "",
      "a",
      "b",
      "abc",
      "Abc",
      " x ",
      "\xc3\xa9",                  // é
      "\xe6\x97\xa5\xe6\x9c\xac",  // 日本
      "stra\303\237e",             // straße (octal: a hex escape would swallow the `e`)
      "z",
      "\xf0\x9f\x98\x80",  // 😀
      "10",
      "-4",
      "007",
      "x y",
      "red",
      "green",
  };
  return pool;
}

const std::vector<std::string>& color_codes() {
  static const std::vector<std::string> codes = {"red", "green", "blue", "entered-in-error"};
  return codes;
}

class ProgramGenerator {
 public:
  ProgramGenerator(Schema& s, std::uint64_t seed, const GenOptions& options)
      : s_(s), m_(*s.module), rng_(seed), options_(options) {}

  ir::Function make(std::uint64_t seed) {
    ir::Function f;
    f.name = "prog_" + std::to_string(seed);
    f.symbol = f.name;
    f.params = {s_.t_in};
    f.result = s_.t_out;
    next_slot_ = 1;  // slot 0: the message
    const G slot_types[] = {G::Int, G::Str, G::Bool, G::OInt, G::OStr, G::LInt, G::LStr};
    for (std::uint32_t k = Schema::kOInt; k <= Schema::kOLs; ++k) {
      if (chance(20)) let_statement(f.body);
      const G g = slot_types[k];
      ir::Stmt set = assignment({k}, {s_.t_out}, g);
      // Only fields a mapping need not set (optional, bool, lists) go under `when`.
      const bool may_skip = g != G::Int && g != G::Str;
      if (may_skip && chance(30)) {
        std::vector<ir::Stmt> body;
        body.push_back(std::move(set));
        f.body.push_back(when(std::move(body)));
      } else {
        f.body.push_back(std::move(set));
      }
    }
    // o_rec: whole, or field by field through a nested path (its record made on first write).
    if (chance(50)) {
      f.body.push_back(assignment({Schema::kORec}, {s_.t_out}, G::ORec));
    } else {
      std::vector<ir::Stmt> parts;
      parts.push_back(assignment({Schema::kORec, Schema::kN}, {s_.t_out, s_.t_rec}, G::Int));
      if (chance(60)) parts.push_back(assignment({Schema::kORec, Schema::kRs}, {s_.t_out, s_.t_rec}, G::OStr));
      if (chance(60)) parts.push_back(assignment({Schema::kORec, Schema::kXs}, {s_.t_out, s_.t_rec}, G::LInt));
      for (auto& p : parts) {
        if (chance(25)) {
          std::vector<ir::Stmt> body;
          body.push_back(std::move(p));
          f.body.push_back(when(std::move(body)));
        } else {
          f.body.push_back(std::move(p));
        }
      }
    }
    f.slot_count = next_slot_;
    return f;
  }

 private:
  struct Binding {
    std::uint32_t slot;
    G type;
  };

  Schema& s_;
  ir::Module& m_;
  std::mt19937_64 rng_;
  GenOptions options_;
  std::uint32_t next_slot_ = 1;
  std::vector<Binding> scope_;

  // ───────────────────────────── randomness ─────────────────────────────

  int pick(int n) { return static_cast<int>(std::uniform_int_distribution<int>(0, n - 1)(rng_)); }
  bool chance(int percent) { return pick(100) < percent; }

  // ───────────────────────────── statements ─────────────────────────────

  ir::Stmt assignment(std::vector<std::uint32_t> path, std::vector<const ir::Type*> path_types, G g) {
    ir::Stmt s;
    s.op = ir::StmtOp::Set;
    s.path = std::move(path);
    s.path_types = std::move(path_types);
    s.value = gen(g, options_.max_depth);
    return s;
  }

  ir::Stmt when(std::vector<ir::Stmt> body) {
    ir::Stmt s;
    s.op = ir::StmtOp::When;
    s.value = gen(G::Bool, 2);
    s.body = std::move(body);
    return s;
  }

  // A mapping-level `let`: visible to every later statement.
  void let_statement(std::vector<ir::Stmt>& body) {
    static const G choices[] = {G::Int, G::OInt, G::Str, G::OStr, G::Bool, G::LInt, G::LStr, G::LRec, G::ORec};
    const G g = choices[pick(9)];
    ir::Stmt s;
    s.op = ir::StmtOp::Let;
    s.value = gen(g, options_.max_depth - 1);
    s.slot = next_slot_++;
    scope_.push_back({s.slot, g});
    body.push_back(std::move(s));
  }

  // ───────────────────────────── nodes ─────────────────────────────

  const ir::Type* type_of(G g) const {
    switch (g) {
      case G::Int: return s_.t_int;
      case G::OInt: return s_.t_oint;
      case G::Str: return s_.t_str;
      case G::OStr: return s_.t_ostr;
      case G::Bool: return s_.t_bool;
      case G::LInt: return s_.t_li;
      case G::LStr: return s_.t_ls;
      case G::LRec: return s_.t_lr;
      case G::Rec: return s_.t_rec;
      case G::ORec: return s_.t_orec;
      case G::Color: return s_.t_color;
    }
    return nullptr;
  }

  static G element_of(G list) { return list == G::LInt ? G::Int : list == G::LStr ? G::Str : G::Rec; }

  static ExprPtr node(Op op, const ir::Type* t, std::vector<ExprPtr> args = {}) {
    auto e = std::make_unique<Expr>();
    e->op = op;
    e->type = t;
    e->args = std::move(args);
    return e;
  }
  static std::vector<ExprPtr> list_of(ExprPtr a) {
    std::vector<ExprPtr> v;
    v.push_back(std::move(a));
    return v;
  }
  static std::vector<ExprPtr> list_of(ExprPtr a, ExprPtr b) {
    std::vector<ExprPtr> v;
    v.push_back(std::move(a));
    v.push_back(std::move(b));
    return v;
  }
  static std::vector<ExprPtr> list_of(ExprPtr a, ExprPtr b, ExprPtr c) {
    std::vector<ExprPtr> v;
    v.push_back(std::move(a));
    v.push_back(std::move(b));
    v.push_back(std::move(c));
    return v;
  }

  std::int64_t small_int() {
    if (chance(6)) {
      static const std::int64_t edges[] = {std::numeric_limits<std::int64_t>::max(),
                                           std::numeric_limits<std::int64_t>::min(),
                                           std::int64_t{1} << 62,
                                           -(std::int64_t{1} << 62),
                                           3037000500,
                                           -1,
                                           0};
      return edges[pick(7)];
    }
    return pick(11) - 3;  // -3 … 7: zero divisors and negative operands come up often
  }
  std::string some_string() {
    return string_pool()[static_cast<std::size_t>(pick(static_cast<int>(string_pool().size())))];
  }

  ExprPtr c_int(std::int64_t v) {
    auto e = node(Op::Const, s_.t_int);
    e->integer = v;
    return e;
  }
  ExprPtr c_str(std::string v) {
    auto e = node(Op::Const, s_.t_str);
    e->text = std::move(v);
    return e;
  }
  ExprPtr c_bool(bool b) {
    auto e = node(Op::Const, s_.t_bool);
    e->integer = b ? 1 : 0;
    return e;
  }
  ExprPtr c_null() { return node(Op::Const, s_.t_null); }
  ExprPtr c_color(int index) {
    auto e = node(Op::Const, s_.t_color);
    e->integer = index;
    return e;
  }
  ExprPtr local(std::uint32_t slot, const ir::Type* t) {
    auto e = node(Op::Local, t);
    e->slot = slot;
    return e;
  }
  ExprPtr field(ExprPtr base, std::uint32_t index, const ir::Type* t, bool chain = false) {
    auto e = node(Op::Field, t, list_of(std::move(base)));
    e->index = index;
    e->chain = chain;
    return e;
  }
  ExprPtr in_field(Schema::InSlot slot, const ir::Type* t) { return field(local(0, s_.t_in), slot, t); }

  ExprPtr binary(Op op, const ir::Type* t, ExprPtr a, ExprPtr b) {
    return node(op, t, list_of(std::move(a), std::move(b)));
  }
  // `a ?? b` has b's type, except `a ?? null`: that is a's type made optional, never `null` (code
  // generation rightly treats a `null`-typed expression as always absent).
  ExprPtr coalesce(ExprPtr a, ExprPtr b) {
    const ir::Type* t = b->type->kind == TypeKind::Null ? m_.optional(m_.plain(a->type)) : b->type;
    return binary(Op::Coalesce, t, std::move(a), std::move(b));
  }
  ExprPtr if_(ExprPtr c, ExprPtr a, ExprPtr b, const ir::Type* t) {
    return node(Op::If, t, list_of(std::move(c), std::move(a), std::move(b)));
  }
  ExprPtr call(const char* name, const ir::Type* t, std::vector<ExprPtr> args, bool fallible = false) {
    auto e = node(Op::Call, t, std::move(args));
    e->text = name;
    e->fallible = fallible;
    return e;
  }

  // A binding of type g in scope, if any.
  const Binding* bound(G g) {
    std::vector<const Binding*> found;
    for (const Binding& b : scope_)
      if (b.type == g) found.push_back(&b);
    if (found.empty()) return nullptr;
    return found[static_cast<std::size_t>(pick(static_cast<int>(found.size())))];
  }

  // `slot => body` over a list of `list` type: args[0] the list, args[1] the body.
  ExprPtr lambda_op(Op op, const ir::Type* t, G list, ExprPtr source, G body_type, int depth) {
    const std::uint32_t slot = next_slot_++;
    scope_.push_back({slot, element_of(list)});
    ExprPtr body = gen(body_type, depth);
    scope_.pop_back();
    auto e = node(op, t, list_of(std::move(source), std::move(body)));
    e->slot = slot;
    return e;
  }
  ExprPtr lambda_op(Op op, const ir::Type* t, G list, int depth, G body_type) {
    return lambda_op(op, t, list, gen(list, depth), body_type, depth);
  }

  ExprPtr let(G body_type, int depth) {
    static const G choices[] = {G::Int, G::OInt, G::Str, G::OStr, G::Bool, G::LInt, G::LStr, G::LRec, G::Rec, G::ORec};
    const G g = choices[pick(10)];
    ExprPtr value = gen(g, depth);
    const std::uint32_t slot = next_slot_++;
    scope_.push_back({slot, g});
    ExprPtr body = gen(body_type, depth);
    scope_.pop_back();
    const ir::Type* t = body->type;
    auto e = node(Op::Let, t, list_of(std::move(value), std::move(body)));
    e->slot = slot;
    return e;
  }

  // if c then fail(…) else x (or the other way round): rejects the message when c holds.
  ExprPtr guarded_fail(G g, int depth) {
    auto f = node(Op::Fail, s_.t_never);
    if (chance(50)) {
      f->args.push_back(c_null());
    } else {
      f->args.push_back(c_str(chance(50) ? "GEN_FAIL" : "GEN_OTHER"));
    }
    f->args.push_back(chance(50) ? c_str("rejected") : binary(Op::Concat, s_.t_str, c_str("bad "), gen(G::Str, 1)));
    f->text = chance(50) ? "$.i" : "";
    ExprPtr other = gen(g, depth);
    const ir::Type* t = other->type;
    ExprPtr c = gen(G::Bool, 1);
    if (chance(50)) return if_(std::move(c), std::move(f), std::move(other), t);
    return if_(std::move(c), std::move(other), std::move(f), t);
  }

  // A table over an int, string or enum key; with `_`, or without (then `?? default`).
  ExprPtr table(G value_type, int depth) {
    const int key_kind = pick(3);  // 0 int, 1 string, 2 enum
    auto e = std::make_unique<Expr>();
    e->op = Op::Table;
    ExprPtr key;
    std::vector<int> used;
    const int n = 1 + pick(4);
    for (int i = 0; i < n; ++i) {
      ir::TableEntry entry;
      if (key_kind == 0) {
        entry.key_int = pick(8) - 2;
        entry.key = std::to_string(entry.key_int);
      } else if (key_kind == 1) {
        entry.key = some_string();
      } else {
        entry.key_int = pick(4);
        entry.key = color_codes()[static_cast<std::size_t>(entry.key_int)];
      }
      bool duplicate = false;
      for (const auto& other : e->entries) duplicate |= other.key == entry.key;
      if (duplicate) continue;
      entry.value = constant(value_type);
      e->entries.push_back(std::move(entry));
    }
    key = key_kind == 0 ? gen(G::Int, depth) : key_kind == 1 ? gen(G::Str, depth) : gen(G::Color, depth);
    e->args.push_back(std::move(key));
    const ir::Type* t = type_of(value_type);
    if (chance(50)) {
      e->index = 1;
      e->args.push_back(gen(value_type, depth));
      e->type = t;
      return e;
    }
    ir::Type fallible = *t;
    fallible.fallible = true;
    e->type = m_.type(fallible);
    return coalesce(std::move(e), gen(value_type, depth));
  }

  ExprPtr constant(G g) {
    switch (g) {
      case G::Int: return c_int(small_int());
      case G::Str: return c_str(some_string());
      case G::Bool: return c_bool(chance(50));
      case G::Color: return c_color(pick(4));
      default: return c_null();
    }
  }

  ExprPtr record_literal(int depth) {
    auto e = node(Op::RecordLit, s_.t_rec);
    e->args.push_back(gen(G::Int, depth));
    e->fields.push_back(Schema::kN);
    if (chance(70)) {
      e->args.push_back(gen(G::OStr, depth));
      e->fields.push_back(Schema::kRs);
    }
    if (chance(70)) {
      e->args.push_back(gen(G::LInt, depth));
      e->fields.push_back(Schema::kXs);
    }
    if (chance(30)) {  // fields in another order than the record's
      std::reverse(e->args.begin(), e->args.end());
      std::reverse(e->fields.begin(), e->fields.end());
    }
    return e;
  }

  ExprPtr list_literal(G list, int depth) {
    auto e = node(Op::ListLit, type_of(list));
    const int n = pick(4);
    for (int i = 0; i < n; ++i) e->args.push_back(gen(element_of(list), depth));
    return e;
  }

  // first/last/min/max/index of a list: the element, optional.
  ExprPtr element_query(G list, int depth) {
    const ir::Type* t = list == G::LInt ? s_.t_oint : list == G::LStr ? s_.t_ostr : s_.t_orec;
    if (chance(12))  // min_by / max_by with an int or string key
      return lambda_op(chance(50) ? Op::MinBy : Op::MaxBy, t, list, depth, chance(60) ? G::Int : G::Str);
    switch (pick(list == G::LRec ? 3 : 5)) {
      case 0:
        return chance(50) ? node(Op::First, t, list_of(gen(list, depth)))
                          : lambda_op(Op::First, t, list, depth, G::Bool);
      case 1:
        return chance(50) ? node(Op::Last, t, list_of(gen(list, depth))) : lambda_op(Op::Last, t, list, depth, G::Bool);
      case 2: return binary(Op::Index, t, gen(list, depth), gen(G::Int, depth));
      case 3: return node(Op::Min, t, list_of(gen(list, depth)));
      default: return node(Op::Max, t, list_of(gen(list, depth)));
    }
  }

  // ───────────────────────────── expressions by type ─────────────────────────────

  ExprPtr leaf(G g) {
    if (const Binding* b = bound(g); b != nullptr && chance(40)) return local(b->slot, type_of(g));
    switch (g) {
      case G::Int: return chance(50) ? in_field(Schema::kI, s_.t_int) : c_int(small_int());
      case G::OInt: return chance(60) ? in_field(Schema::kOi, s_.t_oint) : chance(50) ? c_null() : leaf(G::Int);
      case G::Str: return chance(50) ? in_field(Schema::kS, s_.t_str) : c_str(some_string());
      case G::OStr: return chance(60) ? in_field(Schema::kOs, s_.t_ostr) : chance(50) ? c_null() : leaf(G::Str);
      case G::Bool: return chance(50) ? in_field(Schema::kB, s_.t_bool) : c_bool(chance(50));
      case G::LInt: {
        if (chance(60)) return in_field(Schema::kLi, s_.t_li);
        auto e = node(Op::ListLit, s_.t_li);
        for (int n = pick(3); n > 0; --n) e->args.push_back(c_int(small_int()));
        return e;
      }
      case G::LStr: {
        if (chance(60)) return in_field(Schema::kLs, s_.t_ls);
        auto e = node(Op::ListLit, s_.t_ls);
        for (int n = pick(3); n > 0; --n) e->args.push_back(c_str(some_string()));
        return e;
      }
      case G::LRec: return in_field(Schema::kLr, s_.t_lr);
      case G::Rec: {
        auto e = node(Op::RecordLit, s_.t_rec);
        e->args.push_back(c_int(small_int()));
        e->fields.push_back(Schema::kN);
        return e;
      }
      case G::ORec: return chance(50) ? c_null() : node(Op::First, s_.t_orec, list_of(in_field(Schema::kLr, s_.t_lr)));
      case G::Color: return chance(60) ? in_field(Schema::kE, s_.t_color) : c_color(pick(4));
    }
    return c_null();
  }

  ExprPtr gen(G g, int depth) {
    if (depth <= 0 || chance(15)) return leaf(g);
    const int d = depth - 1;
    if (g != G::LRec && g != G::Rec && g != G::ORec && g != G::Color && pick(1000) < 6) return guarded_fail(g, d);
    switch (g) {
      case G::Int: return gen_int(d);
      case G::OInt: return gen_oint(d);
      case G::Str: return gen_str(d);
      case G::OStr: return gen_ostr(d);
      case G::Bool: return gen_bool(d);
      case G::LInt:
      case G::LStr:
      case G::LRec: return gen_list(g, d);
      case G::Rec: return gen_rec(d);
      case G::ORec: return gen_orec(d);
      case G::Color: return gen_color(d);
    }
    return leaf(g);
  }

  ExprPtr gen_int(int d) {
    switch (pick(18)) {
      case 0: return binary(Op::Add, s_.t_int, gen(G::Int, d), gen(G::Int, d));
      case 1: return binary(Op::Sub, s_.t_int, gen(G::Int, d), gen(G::Int, d));
      case 2: return binary(Op::Mul, s_.t_int, gen(G::Int, d), gen(G::Int, d));
      case 3: return node(Op::Neg, s_.t_int, list_of(gen(G::Int, d)));
      case 4:
      case 5: {
        auto div = binary(pick(2) == 0 ? Op::Div : Op::Mod, s_.t_fint, gen(G::Int, d), gen(G::Int, d));
        div->fallible = true;
        return coalesce(std::move(div), gen(G::Int, d));
      }
      case 6: return coalesce(gen(G::OInt, d), gen(G::Int, d));
      case 7: return if_(gen(G::Bool, d), gen(G::Int, d), gen(G::Int, d), s_.t_int);
      case 8: return let(G::Int, d);
      case 9: return table(G::Int, d);
      case 10: {
        static const G lists[] = {G::LInt, G::LStr, G::LRec};
        const G list = lists[pick(3)];
        if (chance(30)) return node(Op::Count, s_.t_int, list_of(gen(list, d)));
        if (chance(50)) return node(Op::Size, s_.t_int, list_of(gen(list, d)));
        return lambda_op(Op::Count, s_.t_int, list, d, G::Bool);
      }
      case 11: {
        if (chance(50)) return node(Op::Sum, s_.t_int, list_of(gen(G::LInt, d)));
        // the sum of a mapped list of records
        return node(Op::Sum, s_.t_int, list_of(lambda_op(Op::Map, s_.t_li, G::LRec, d, G::Int)));
      }
      case 12: return coalesce(element_query(G::LInt, d), gen(G::Int, d));
      case 13: return field(gen(G::Rec, d), Schema::kN, s_.t_int);
      case 14:
        if (options_.calls) return call("length", s_.t_int, list_of(gen(G::Str, d)));
        return leaf(G::Int);
      case 15:
        if (options_.calls)
          return coalesce(call("parse_int", s_.t_fint, list_of(gen(G::Str, d)), true), gen(G::Int, d));
        return leaf(G::Int);
      case 16: return coalesce(field(gen(G::ORec, d), Schema::kN, s_.t_oint, true), gen(G::Int, d));
      default: return leaf(G::Int);
    }
  }

  ExprPtr gen_oint(int d) {
    switch (pick(8)) {
      case 0: return if_(gen(G::Bool, d), gen(G::Int, d), c_null(), s_.t_oint);
      case 1:
      case 2: return element_query(G::LInt, d);
      case 3: return field(gen(G::ORec, d), Schema::kN, s_.t_oint, true);
      case 4: return coalesce(gen(G::OInt, d), gen(G::OInt, d));
      case 5: return let(G::OInt, d);
      case 6: return gen(G::Int, d);
      default: return leaf(G::OInt);
    }
  }

  ExprPtr gen_str(int d) {
    switch (pick(13)) {
      case 0:
      case 1: return binary(Op::Concat, s_.t_str, gen(G::Str, d), gen(G::Str, d));
      case 2: return coalesce(gen(G::OStr, d), gen(G::Str, d));
      case 3: return if_(gen(G::Bool, d), gen(G::Str, d), gen(G::Str, d), s_.t_str);
      case 4: return let(G::Str, d);
      case 5: return table(G::Str, d);
      case 6: return coalesce(element_query(G::LStr, d), gen(G::Str, d));
      case 7: return coalesce(field(gen(G::Rec, d), Schema::kRs, s_.t_ostr), gen(G::Str, d));
      case 8:
        if (options_.calls) {
          static const char* names[] = {"upper", "lower", "trim"};
          return call(names[pick(3)], s_.t_str, list_of(gen(G::Str, d)));
        }
        return leaf(G::Str);
      case 9:
        if (options_.calls) return call("to_string", s_.t_str, list_of(gen(G::Int, d)));
        return leaf(G::Str);
      case 10:
        if (options_.calls) return call("to_string", s_.t_str, list_of(gen(G::Color, d)));
        return leaf(G::Str);
      default: return leaf(G::Str);
    }
  }

  ExprPtr gen_ostr(int d) {
    switch (pick(7)) {
      case 0: return if_(gen(G::Bool, d), gen(G::Str, d), c_null(), s_.t_ostr);
      case 1:
      case 2: return element_query(G::LStr, d);
      case 3: return field(gen(G::ORec, d), Schema::kRs, s_.t_ostr, true);
      case 4: return coalesce(gen(G::OStr, d), gen(G::OStr, d));
      case 5: return let(G::OStr, d);
      default: return gen(G::Str, d);
    }
  }

  ExprPtr comparison(int d) {
    static const Op ops[] = {Op::Eq, Op::Ne, Op::Lt, Op::Le, Op::Gt, Op::Ge};
    const Op op = ops[pick(6)];
    if (op == Op::Eq || op == Op::Ne) {
      switch (pick(8)) {
        case 0: return binary(op, s_.t_bool, gen(G::Int, d), gen(G::Int, d));
        case 1: return binary(op, s_.t_bool, gen(G::Str, d), gen(G::Str, d));
        case 2: return binary(op, s_.t_bool, gen(G::Bool, d), gen(G::Bool, d));
        case 3: return binary(op, s_.t_bool, gen(G::Color, d), gen(G::Color, d));
        case 4: return binary(op, s_.t_bool, gen(G::OInt, d), chance(50) ? c_null() : gen(G::Int, d));
        case 5: return binary(op, s_.t_bool, gen(G::OStr, d), chance(50) ? c_null() : gen(G::Str, d));
        case 6: return binary(op, s_.t_bool, gen(G::OInt, d), gen(G::OInt, d));
        default: return binary(op, s_.t_bool, gen(G::OStr, d), gen(G::OStr, d));
      }
    }
    if (chance(50)) return binary(op, s_.t_bool, gen(G::Int, d), gen(G::Int, d));
    return binary(op, s_.t_bool, gen(G::Str, d), gen(G::Str, d));
  }

  ExprPtr gen_bool(int d) {
    static const G lists[] = {G::LInt, G::LStr, G::LRec};
    switch (pick(14)) {
      case 0: return node(Op::Not, s_.t_bool, list_of(gen(G::Bool, d)));
      case 1: return binary(Op::And, s_.t_bool, gen(G::Bool, d), gen(G::Bool, d));
      case 2: return binary(Op::Or, s_.t_bool, gen(G::Bool, d), gen(G::Bool, d));
      case 3:
      case 4:
      case 5: return comparison(d);
      case 6: return lambda_op(chance(50) ? Op::Any : Op::All, s_.t_bool, lists[pick(3)], d, G::Bool);
      case 7: return node(Op::IsEmpty, s_.t_bool, list_of(gen(lists[pick(3)], d)));
      case 8:
        if (chance(50)) return binary(Op::Contains, s_.t_bool, gen(G::LInt, d), gen(G::Int, d));
        return binary(Op::Contains, s_.t_bool, gen(G::LStr, d), gen(G::Str, d));
      case 9: {
        static const G optionals[] = {G::OInt, G::OStr, G::ORec};
        return node(Op::IsPresent, s_.t_bool, list_of(gen(optionals[pick(3)], d)));
      }
      case 10: return if_(gen(G::Bool, d), gen(G::Bool, d), gen(G::Bool, d), s_.t_bool);
      case 11: return let(G::Bool, d);
      case 12:
        if (options_.calls)
          return call(chance(50) ? "starts_with" : "contains", s_.t_bool, list_of(gen(G::Str, d), gen(G::Str, d)));
        return leaf(G::Bool);
      default: return table(G::Bool, d);
    }
  }

  // sort() of ints or strings, or sort_by(x => key) with an int or string key.
  ExprPtr sorted(G list, int d) {
    const ir::Type* t = type_of(list);
    if (list != G::LRec && chance(40)) return node(Op::Sort, t, list_of(gen(list, d)));
    return lambda_op(Op::SortBy, t, list, d, chance(60) ? G::Int : G::Str);
  }

  ExprPtr gen_list(G list, int d) {
    const ir::Type* t = type_of(list);
    if (chance(8)) return sorted(list, d);
    switch (pick(list == G::LRec ? 7 : 10)) {
      case 0: return list_literal(list, d);
      case 1: return binary(Op::Concat, t, gen(list, d), gen(list, d));
      case 2: return lambda_op(Op::Filter, t, list, d, G::Bool);
      case 3: return binary(chance(50) ? Op::Take : Op::Skip, t, gen(list, d), gen(G::Int, d));
      case 4: return if_(gen(G::Bool, d), gen(list, d), gen(list, d), t);
      case 5: return let(list, d);
      case 6:
        if (list == G::LRec) return list_literal(list, d);
        return node(Op::Distinct, t, list_of(gen(list, d)));
      case 7: {  // map from any list
        static const G lists[] = {G::LInt, G::LStr, G::LRec};
        return lambda_op(Op::Map, t, lists[pick(3)], d, element_of(list));
      }
      case 8: {  // flat_map: records to their xs, or elements to a list literal
        if (list == G::LInt && chance(50)) {
          const std::uint32_t slot = next_slot_++;
          ExprPtr source = gen(G::LRec, d);
          auto e = node(Op::FlatMap, t, list_of(std::move(source), field(local(slot, s_.t_rec), Schema::kXs, s_.t_li)));
          e->slot = slot;
          return e;
        }
        static const G lists[] = {G::LInt, G::LStr, G::LRec};
        return lambda_op(Op::FlatMap, t, lists[pick(3)], d, list);
      }
      default:
        if (list == G::LInt) return field(gen(G::ORec, d), Schema::kXs, s_.t_li, true);
        return leaf(list);
    }
  }

  ExprPtr gen_rec(int d) {
    switch (pick(4)) {
      case 0:
      case 1: return record_literal(d);
      case 2: return if_(gen(G::Bool, d), gen(G::Rec, d), gen(G::Rec, d), s_.t_rec);
      default: return let(G::Rec, d);
    }
  }

  ExprPtr gen_orec(int d) {
    switch (pick(4)) {
      case 0:
      case 1: return element_query(G::LRec, d);
      case 2: return if_(gen(G::Bool, d), gen(G::Rec, d), c_null(), s_.t_orec);
      default: return gen(G::Rec, d);
    }
  }

  ExprPtr gen_color(int d) {
    switch (pick(3)) {
      case 0: return if_(gen(G::Bool, d), gen(G::Color, d), gen(G::Color, d), s_.t_color);
      case 1: return table(G::Color, d);
      default: return leaf(G::Color);
    }
  }
};

// ───────────────────────────── messages ─────────────────────────────

class MessageGenerator {
 public:
  MessageGenerator(const Schema& s, runtime::Arena& arena, std::uint64_t seed) : s_(s), arena_(arena), rng_(seed) {}

  abi::Value message() {
    abi::Record* r = record(s_.in);
    r->slots[Schema::kI] = integer();
    r->slots[Schema::kOi] = maybe_absent(integer());
    r->slots[Schema::kS] = string();
    r->slots[Schema::kOs] = maybe_absent(string());
    r->slots[Schema::kB] = boolean();
    r->slots[Schema::kLi] = list([&] { return integer(); });
    r->slots[Schema::kLs] = list([&] { return string(); });
    r->slots[Schema::kLr] = list([&] { return rec(); });
    abi::Value e;
    e.kind = abi::Kind::Enum;
    e.aux = static_cast<std::uint32_t>(pick(4));
    e.text = s_.color->codes[e.aux].c_str();
    r->slots[Schema::kE] = e;
    return record_value(r);
  }

 private:
  const Schema& s_;
  runtime::Arena& arena_;
  std::mt19937_64 rng_;

  int pick(int n) { return static_cast<int>(std::uniform_int_distribution<int>(0, n - 1)(rng_)); }
  bool chance(int percent) { return pick(100) < percent; }

  abi::Record* record(const abi::RecordDesc* desc) {
    const std::uint32_t n = desc->slot_count;
    auto* r = static_cast<abi::Record*>(arena_.allocate(abi::record_size(n), alignof(abi::Record)));
    r->desc = desc;
    r->unknown = nullptr;
    r->unknown_count = 0;
    r->slot_count = n;
    for (std::uint32_t i = 0; i < (n == 0 ? 1 : n); ++i) new (&r->slots[i]) abi::Value();
    return r;
  }
  static abi::Value record_value(abi::Record* r) {
    abi::Value v;
    v.kind = abi::Kind::Record;
    v.record = r;
    return v;
  }

  abi::Value integer() {
    abi::Value v;
    v.kind = abi::Kind::Int;
    if (chance(8)) {
      static const std::int64_t edges[] = {std::numeric_limits<std::int64_t>::max(),
                                           std::numeric_limits<std::int64_t>::min(), std::int64_t{1} << 62,
                                           -(std::int64_t{1} << 62), 0};
      v.integer = edges[pick(5)];
    } else {
      v.integer = pick(16) - 5;
    }
    return v;
  }
  abi::Value string() {
    const std::string& s = string_pool()[static_cast<std::size_t>(pick(static_cast<int>(string_pool().size())))];
    abi::Value v;
    v.kind = abi::Kind::String;
    v.text = arena_.copy(s.data(), s.size());
    v.aux = static_cast<std::uint32_t>(s.size());
    return v;
  }
  abi::Value boolean() {
    abi::Value v;
    v.kind = abi::Kind::Bool;
    v.boolean = chance(50);
    return v;
  }
  // Absent a third of the time; an explicit null (HL7 `""`) now and then.
  abi::Value maybe_absent(abi::Value v) {
    const int r = pick(100);
    if (r < 25) return abi::Value{};
    if (r < 33) {
      abi::Value null;
      null.kind = abi::Kind::Null;
      return null;
    }
    return v;
  }
  abi::Value list(const std::function<abi::Value()>& element) {
    const int r = pick(100);
    if (r < 15) return abi::Value{};  // an absent list
    abi::Value v;
    v.kind = abi::Kind::List;
    const int n = r < 25 ? 0 : 1 + pick(4);
    abi::Value* items = arena_.make_array<abi::Value>(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) items[i] = element();
    v.items = items;
    v.aux = static_cast<std::uint32_t>(n);
    return v;
  }
  abi::Value rec() {
    abi::Record* r = record(s_.rec);
    r->slots[Schema::kN] = integer();
    r->slots[Schema::kRs] = maybe_absent(string());
    r->slots[Schema::kXs] = list([&] { return integer(); });
    return record_value(r);
  }
};

void append_quoted(std::string& out, std::string_view s) {
  static const char* hex = "0123456789abcdef";
  out += '"';
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c >= 0x7f) {
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  out += '"';
}

void describe_into(std::string& out, const abi::Value& v) {
  switch (v.kind) {
    case abi::Kind::Absent:
    case abi::Kind::Null: out += "null"; return;
    case abi::Kind::Bool: out += v.boolean ? "true" : "false"; return;
    case abi::Kind::Int: out += std::to_string(v.integer); return;
    case abi::Kind::Duration: out += std::to_string(v.integer) + "ms"; return;
    case abi::Kind::Enum: out += "#" + std::to_string(v.aux); return;
    case abi::Kind::Decimal:
    case abi::Kind::String:
    case abi::Kind::Json:
      if (v.kind == abi::Kind::Decimal) out += "dec:";
      if (v.kind == abi::Kind::Json) out += "json:";
      append_quoted(out, v.str());
      return;
    case abi::Kind::Date:
    case abi::Kind::DateTime:
    case abi::Kind::Time:
    case abi::Kind::Instant:
      out += "t" + std::to_string(static_cast<int>(v.kind)) + "/p" + std::to_string(static_cast<int>(v.precision)) +
             "/f" + std::to_string(v.flags) + ":";
      append_quoted(out, v.str());
      return;
    case abi::Kind::List:
      out += '[';
      for (std::uint32_t i = 0; i < v.aux; ++i) {
        if (i > 0) out += ", ";
        describe_into(out, v.items[i]);
      }
      out += ']';
      return;
    case abi::Kind::Record: {
      const abi::Record* r = v.record;
      out += '{';
      for (std::uint32_t i = 0; r != nullptr && i < r->slot_count; ++i) {
        if (i > 0) out += ", ";
        const abi::FieldDesc* f = r->desc != nullptr && i < r->desc->fields.size() ? &r->desc->fields[i] : nullptr;
        out += f != nullptr ? f->name : "slot" + std::to_string(i);
        out += ": ";
        if (f != nullptr && f->type.list && !r->slots[i].present()) {
          out += "[]";
        } else {
          describe_into(out, r->slots[i]);
        }
      }
      out += '}';
      return;
    }
  }
  out += "?kind" + std::to_string(static_cast<int>(v.kind));
}

}  // namespace

Schema make_schema(ir::Module& m) {
  Schema s;
  s.module = &m;
  abi::SchemaSet& set = m.schemas;

  abi::EnumDesc& color = set.add_enum("Color");
  color.codes = color_codes();

  auto scalar_field = [](std::string name, abi::Kind kind, bool optional = false, bool list = false) {
    abi::FieldDesc f;
    f.name = std::move(name);
    f.type.kind = kind;
    f.type.optional = optional;
    f.type.list = list;
    return f;
  };

  abi::RecordDesc& rec = set.add_record("Rec");
  rec.fields.push_back(scalar_field("n", abi::Kind::Int));
  rec.fields.push_back(scalar_field("s", abi::Kind::String, true));
  rec.fields.push_back(scalar_field("xs", abi::Kind::Int, false, true));

  abi::RecordDesc& in = set.add_record("In");
  in.fields.push_back(scalar_field("i", abi::Kind::Int));
  in.fields.push_back(scalar_field("oi", abi::Kind::Int, true));
  in.fields.push_back(scalar_field("s", abi::Kind::String));
  in.fields.push_back(scalar_field("os", abi::Kind::String, true));
  in.fields.push_back(scalar_field("b", abi::Kind::Bool));
  in.fields.push_back(scalar_field("li", abi::Kind::Int, false, true));
  in.fields.push_back(scalar_field("ls", abi::Kind::String, false, true));
  abi::FieldDesc lr = scalar_field("lr", abi::Kind::Record, false, true);
  lr.type.record = &rec;
  in.fields.push_back(lr);
  abi::FieldDesc e = scalar_field("e", abi::Kind::Enum);
  e.type.enumeration = &color;
  in.fields.push_back(e);

  abi::RecordDesc& out = set.add_record("Out");
  out.fields.push_back(scalar_field("o_int", abi::Kind::Int));
  out.fields.push_back(scalar_field("o_str", abi::Kind::String));
  out.fields.push_back(scalar_field("o_bool", abi::Kind::Bool));
  out.fields.push_back(scalar_field("o_oint", abi::Kind::Int, true));
  out.fields.push_back(scalar_field("o_ostr", abi::Kind::String, true));
  out.fields.push_back(scalar_field("o_li", abi::Kind::Int, false, true));
  out.fields.push_back(scalar_field("o_ls", abi::Kind::String, false, true));
  abi::FieldDesc o_rec = scalar_field("o_rec", abi::Kind::Record, true);
  o_rec.type.record = &rec;
  out.fields.push_back(o_rec);

  set.finish();
  s.color = &color;
  s.rec = &rec;
  s.in = &in;
  s.out = &out;
  for (const abi::RecordDesc& r : set.records()) s.records.push_back(&r);
  for (const abi::EnumDesc& en : set.enums()) s.enums.push_back(&en);

  auto index_of = [&](const abi::RecordDesc* r) {
    for (std::size_t i = 0; i < s.records.size(); ++i)
      if (s.records[i] == r) return static_cast<std::uint32_t>(i);
    return std::uint32_t{0};
  };
  auto record_type = [&](const abi::RecordDesc* r, bool optional) {
    ir::Type t;
    t.kind = TypeKind::Record;
    t.record = r;
    t.record_index = index_of(r);
    t.optional = optional;
    return m.type(t);
  };

  s.t_bool = m.scalar(TypeKind::Bool);
  s.t_int = m.scalar(TypeKind::Int);
  s.t_oint = m.scalar(TypeKind::Int, true);
  ir::Type fint;
  fint.kind = TypeKind::Int;
  fint.fallible = true;
  s.t_fint = m.type(fint);
  s.t_str = m.scalar(TypeKind::String);
  s.t_ostr = m.scalar(TypeKind::String, true);
  ir::Type fstr;
  fstr.kind = TypeKind::String;
  fstr.fallible = true;
  s.t_fstr = m.type(fstr);
  s.t_null = m.scalar(TypeKind::Null);
  s.t_never = m.scalar(TypeKind::Never);
  ir::Type c;
  c.kind = TypeKind::Enum;
  c.enumeration = &color;
  c.enum_index = 0;
  s.t_color = m.type(c);
  s.t_ocolor = m.optional(s.t_color);
  s.t_rec = record_type(&rec, false);
  s.t_orec = record_type(&rec, true);
  s.t_in = record_type(&in, false);
  s.t_out = record_type(&out, false);
  s.t_li = m.list(s.t_int);
  s.t_ls = m.list(s.t_str);
  s.t_lr = m.list(s.t_rec);
  return s;
}

const ir::Function& generate_program(Schema& schema, std::uint64_t seed, const GenOptions& options) {
  ProgramGenerator gen(schema, seed, options);
  schema.module->functions.push_back(gen.make(seed));
  return schema.module->functions.back();
}

abi::Value generate_message(const Schema& schema, runtime::Arena& arena, std::uint64_t seed) {
  MessageGenerator gen(schema, arena, seed);
  return gen.message();
}

std::string describe(const abi::Value& v) {
  std::string out;
  describe_into(out, v);
  return out;
}

}  // namespace suture::difftest
