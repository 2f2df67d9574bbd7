// lower.cpp — checked AST → typed IR (see lower.h). One Lowerer per module; it keeps a scope of
// named slots, describes every record and enum it meets into the module's SchemaSet, and reports
// S5001 for the constructs the back end does not compile (so nothing is silently dropped).
#include "compiler/ir/lower.h"

#include <algorithm>
#include <filesystem>
#include <functional>
#include <set>

#include "compiler/ir/printer.h"
#include "compiler/lower/schema_descriptors.h"
#include "compiler/sema/builtins.h"
#include "compiler/sema/types.h"

#include <nlohmann/json.hpp>

namespace suture::ir {
namespace {

using ast::ExprKind;
using sema::SymbolKind;

// By name, scanning: the descriptors' name index is built only when the set is finished.
const abi::FieldDesc* find_field(const abi::RecordDesc* record, const std::string& name) {
  for (const abi::FieldDesc& f : record->fields)
    if (f.name == name) return &f;
  return nullptr;
}

class Lowerer {
 public:
  Lowerer(sema::Checker& checker, const sema::CheckResult& result, const SourceManager& sources,
          DiagnosticSink& diagnostics, Module& module)
      : checker_(checker),
        result_(result),
        sources_(sources),
        diagnostics_(diagnostics),
        m_(module),
        describer_(module.schemas) {
    m_.sources.emplace_back();  // id 0: no location
  }

  void mapping(const sema::Symbol& symbol);
  void policy(const sema::Symbol& symbol);
  void test(const sema::Symbol& symbol);
  void route(const sema::Symbol& symbol);
  Function begin_function(const sema::Symbol& symbol, const std::vector<ast::Param>& params);
  bool failed() const { return failed_; }
  void finish() { m_.schemas.finish(); }

 private:
  struct Binding {
    std::string name;
    std::uint32_t slot;
  };

  // ── types ──
  const Type* type(const sema::Type* t, Span at);
  const Type* type_of(const ast::Expr& e);
  const Type* field_type(const abi::FieldDesc& f);
  std::uint32_t record_index(const abi::RecordDesc* desc);
  std::uint32_t enum_index(const abi::EnumDesc* desc);

  // ── building nodes ──
  ExprPtr make(Op op, const Type* t, std::vector<ExprPtr> args = {});
  ExprPtr constant_null() { return make(Op::Const, m_.scalar(TypeKind::Null)); }
  ExprPtr constant_bool(bool b);
  ExprPtr local(std::uint32_t slot, const Type* t);
  ExprPtr coerce(ExprPtr e, const Type* target);
  ExprPtr unsupported(Span at, const std::string& what);
  std::uint32_t fresh_slot() { return next_slot_++; }
  std::uint32_t source(Span at);

  // ── expressions ──
  ExprPtr expr(const ast::Expr& e);
  ExprPtr literal(const ast::Literal& lit, const Type* t, Span at);
  ExprPtr name(const ast::Expr& e);
  ExprPtr member(const ast::Expr& e);
  ExprPtr field(ExprPtr base, const std::string& name, bool chain, const Type* t, Span at);
  ExprPtr binary(const ast::Expr& e);
  ExprPtr comparison(Op op, ExprPtr a, ExprPtr b);
  ExprPtr membership(const ast::Expr& e);
  ExprPtr call(const ast::Expr& e);
  ExprPtr inline_function(const sema::Symbol& symbol, const ast::Expr& call);
  ExprPtr table(const sema::Symbol& symbol, const ast::Expr& call);
  ExprPtr builtin(const std::string& name, std::vector<const ast::Expr*> args, const ast::Expr& e);
  ExprPtr method(const ast::Expr& e);
  ExprPtr collection_op(const ast::Expr& e, ExprPtr receiver);
  ExprPtr lambda(const ast::Expr& lambda, const Type* element, std::uint32_t& slot);
  ExprPtr match(const ast::Expr& e);
  ExprPtr record_literal(const ast::Expr& e);
  ExprPtr fail(std::vector<ExprPtr> args, std::string path, Span at);
  std::string json_path(const ast::Expr& e) const;
  ExprPtr with_global_scope(const std::function<ExprPtr()>& body);

  // ── policies (lower_policy.cpp would be its own file if it grew) ──
  bool obligation_path(const ast::Expr& target, Stmt& apply, PolicyRule& rule);
  void index_rules(std::vector<Stmt>& rules);

  // ── statements ──
  void statements(const std::vector<ast::MappingStmtPtr>& body, std::vector<Stmt>& out, const Type* output);

  sema::Checker& checker_;
  const sema::CheckResult& result_;
  const SourceManager& sources_;
  DiagnosticSink& diagnostics_;
  Module& m_;
  lower::Describer describer_;
  std::map<const abi::RecordDesc*, std::uint32_t> record_indexes_;
  std::map<const abi::EnumDesc*, std::uint32_t> enum_indexes_;
  std::vector<Binding> scope_;
  std::vector<std::string> params_;  // the mapping's parameter names, for JSON paths
  std::uint32_t next_slot_ = 0;
  bool failed_ = false;
  bool in_test_ = false;
  std::vector<Span> reported_;
  std::map<const sema::Symbol*, std::uint32_t> function_of_;  // mappings lowered so far
  std::map<const ast::Expr*, std::uint32_t> fixture_slots_;   // in a test: fixture(…) → its parameter
};

// ───────────────────────────── types ─────────────────────────────

std::uint32_t Lowerer::record_index(const abi::RecordDesc* desc) {
  if (auto it = record_indexes_.find(desc); it != record_indexes_.end()) return it->second;
  const auto& all = m_.schemas.records();
  for (std::uint32_t i = 0; i < all.size(); ++i) record_indexes_.emplace(&all[i], i);
  return record_indexes_.at(desc);
}

std::uint32_t Lowerer::enum_index(const abi::EnumDesc* desc) {
  if (auto it = enum_indexes_.find(desc); it != enum_indexes_.end()) return it->second;
  const auto& all = m_.schemas.enums();
  for (std::uint32_t i = 0; i < all.size(); ++i) enum_indexes_.emplace(&all[i], i);
  return enum_indexes_.at(desc);
}

const Type* Lowerer::type(const sema::Type* t, Span at) {
  using K = sema::TypeKind;
  Type out;
  switch (t->kind) {
    case K::Optional: return m_.optional(type(t->inner, at));
    case K::Fallible: {
      Type inner = *type(t->inner, at);
      inner.fallible = true;
      return m_.type(inner);
    }
    case K::Null: return m_.scalar(TypeKind::Null);
    case K::Never: return m_.scalar(TypeKind::Never);
    case K::Bool: return m_.scalar(TypeKind::Bool);
    case K::Int: return m_.scalar(TypeKind::Int);
    case K::Decimal: return m_.scalar(TypeKind::Decimal);
    case K::String: return m_.scalar(TypeKind::String);
    case K::Date: return m_.scalar(TypeKind::Date);
    case K::DateTime: return m_.scalar(TypeKind::DateTime);
    case K::Time: return m_.scalar(TypeKind::Time);
    case K::Instant: return m_.scalar(TypeKind::Instant);
    case K::Duration: return m_.scalar(TypeKind::Duration);
    case K::Json: return m_.scalar(TypeKind::Json);
    case K::List:
    case K::Set: return m_.list(m_.plain(type(t->inner, at)));
    case K::Id:
      out.kind = TypeKind::Int;
      out.odoo_id = true;
      out.record = describer_.record(t->inner);
      out.record_index = record_index(out.record);
      return m_.type(out);
    case K::Record:
      out.kind = TypeKind::Record;
      out.record = describer_.record(t);
      out.record_index = record_index(out.record);
      return m_.type(out);
    case K::Enum:
      out.kind = TypeKind::Enum;
      out.enumeration = describer_.enumeration(t);
      out.enum_index = enum_index(out.enumeration);
      return m_.type(out);
    case K::Map:
    case K::AnonRecord:
    case K::Error: break;
  }
  unsupported(at, "values of type " + sema::display(t));
  return m_.scalar(TypeKind::Json);
}

// The IR type of a described field (for output paths and record literals).
const Type* Lowerer::field_type(const abi::FieldDesc& f) {
  Type t;
  switch (f.type.kind) {
    case abi::Kind::Bool: t.kind = TypeKind::Bool; break;
    case abi::Kind::Int: t.kind = TypeKind::Int; break;
    case abi::Kind::Decimal: t.kind = TypeKind::Decimal; break;
    case abi::Kind::String: t.kind = TypeKind::String; break;
    case abi::Kind::Date: t.kind = TypeKind::Date; break;
    case abi::Kind::DateTime: t.kind = TypeKind::DateTime; break;
    case abi::Kind::Time: t.kind = TypeKind::Time; break;
    case abi::Kind::Instant: t.kind = TypeKind::Instant; break;
    case abi::Kind::Duration: t.kind = TypeKind::Duration; break;
    case abi::Kind::Enum:
      t.kind = TypeKind::Enum;
      t.enumeration = f.type.enumeration;
      t.enum_index = enum_index(f.type.enumeration);
      break;
    case abi::Kind::Record:
      t.kind = TypeKind::Record;
      t.record = f.type.record;
      t.record_index = record_index(f.type.record);
      break;
    default: t.kind = TypeKind::Json; break;
  }
  if (f.type.odoo_id) {
    t.odoo_id = true;
    t.record = f.type.record;
    t.record_index = record_index(f.type.record);
  }
  const Type* plain = m_.type(t);
  if (f.type.list) return m_.list(plain);
  return f.type.optional ? m_.optional(plain) : plain;
}

const Type* Lowerer::type_of(const ast::Expr& e) {
  auto it = result_.expr_types.find(&e);
  if (it == result_.expr_types.end() || it->second == nullptr) {
    unsupported(e.span, "this expression (its type is unknown)");
    return m_.scalar(TypeKind::Json);
  }
  return type(it->second, e.span);
}

// ───────────────────────────── nodes ─────────────────────────────

ExprPtr Lowerer::make(Op op, const Type* t, std::vector<ExprPtr> args) {
  auto e = std::make_unique<Expr>();
  e->op = op;
  e->type = t;
  e->args = std::move(args);
  return e;
}

ExprPtr Lowerer::constant_bool(bool b) {
  auto e = make(Op::Const, m_.scalar(TypeKind::Bool));
  e->integer = b ? 1 : 0;
  return e;
}

ExprPtr Lowerer::local(std::uint32_t slot, const Type* t) {
  auto e = make(Op::Local, t);
  e->slot = slot;
  return e;
}

ExprPtr Lowerer::unsupported(Span at, const std::string& what) {
  failed_ = true;
  // One report per construct: what lies inside or around a reported span is its consequence.
  for (const Span& seen : reported_)
    if (seen.file == at.file && seen.begin < at.end && at.begin < seen.end) return constant_null();
  reported_.push_back(at);
  diagnostics_.report(DiagCode::S5001, at, what + " cannot be compiled to native code yet")
      .label(at, "not supported by `suture build`")
      .help("`suture check` accepts it; rewrite it with the constructs docs/language.md lists as compiled");
  return constant_null();
}

std::uint32_t Lowerer::source(Span at) {
  if (at.is_none()) return 0;
  const SourceFile& file = sources_.file(at.file);
  LineCol lc = file.line_col(at.begin);
  m_.sources.push_back(SourceLocation{file.path(), lc.line, lc.column});
  return static_cast<std::uint32_t>(m_.sources.size() - 1);
}

// Makes `e` fit `target`: a string literal becomes an enum member, an int a decimal, and an enum
// compared with text is read as its code. Everything else already fits (values are uniform).
ExprPtr Lowerer::coerce(ExprPtr e, const Type* target) {
  if (target == nullptr || e->type == nullptr) return e;
  const Type* want = m_.plain(target);
  const Type* have = m_.plain(e->type);
  if (want->kind == TypeKind::Enum && have->kind == TypeKind::String && e->op == Op::Const) {
    const auto& codes = want->enumeration->codes;
    auto it = std::find(codes.begin(), codes.end(), e->text);
    if (it != codes.end()) {
      e->integer = it - codes.begin();
      e->type = want;
    }
    return e;
  }
  if (want->kind == TypeKind::Decimal && have->kind == TypeKind::Int) {
    if (e->op == Op::Const) {
      e->text = std::to_string(e->integer);
      e->type = m_.scalar(TypeKind::Decimal);
      return e;
    }
    auto call = make(Op::Call, target->optional ? m_.optional(want) : want);
    call->text = "to_decimal";
    if (e->type->optional) {
      // to_decimal(x) only when x is present
      std::uint32_t slot = fresh_slot();
      const Type* t = e->type;
      call->args.push_back(local(slot, m_.plain(t)));
      std::vector<ExprPtr> branch;
      branch.push_back(make(Op::IsPresent, m_.scalar(TypeKind::Bool)));
      branch[0]->args.push_back(local(slot, t));
      branch.push_back(std::move(call));
      branch.push_back(constant_null());
      auto cond = make(Op::If, m_.optional(want), std::move(branch));
      auto let = make(Op::Let, cond->type);
      let->slot = slot;
      let->args.push_back(std::move(e));
      let->args.push_back(std::move(cond));
      return let;
    }
    call->args.push_back(std::move(e));
    return call;
  }
  if (want->kind == TypeKind::String && have->kind == TypeKind::Enum) {
    auto call = make(Op::Call, e->type->optional ? m_.optional(want) : want);
    call->text = "to_string";
    call->args.push_back(std::move(e));
    return call;
  }
  return e;
}

ExprPtr Lowerer::with_global_scope(const std::function<ExprPtr()>& body) {
  std::vector<Binding> saved = std::move(scope_);
  scope_.clear();
  ExprPtr e = body();
  scope_ = std::move(saved);
  return e;
}

// ───────────────────────────── expressions ─────────────────────────────

std::int64_t duration_ms(const std::string& text) {
  std::size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  std::int64_t n = std::stoll(text.substr(0, digits));
  std::string unit = text.substr(digits);
  if (unit == "ms") return n;
  if (unit == "s") return n * 1000;
  if (unit == "m") return n * 60'000;
  if (unit == "h") return n * 3'600'000;
  if (unit == "d") return n * 86'400'000;
  return n;
}

ExprPtr Lowerer::literal(const ast::Literal& lit, const Type* t, Span at) {
  using L = ast::LiteralKind;
  auto e = make(Op::Const, t);
  switch (lit.kind) {
    case L::Null: e->type = m_.scalar(TypeKind::Null); break;
    case L::Bool: e->integer = lit.text == "true"; break;
    case L::Int:
      if (m_.plain(t)->kind == TypeKind::Decimal) {  // an int literal where a decimal is expected
        e->text = lit.text;
        break;
      }
      try {
        e->integer = std::stoll(lit.text);
      } catch (const std::exception&) {
        return unsupported(at, "the integer " + lit.text + " (beyond 64 bits)");
      }
      break;
    case L::Duration: e->integer = duration_ms(lit.text); break;
    default: e->text = lit.text; break;
  }
  if (const Type* plain = m_.plain(t); plain->kind == TypeKind::Enum) {
    // The checker types a string literal meeting an enum as the enum: store the member index.
    const auto& codes = plain->enumeration->codes;
    auto it = std::find(codes.begin(), codes.end(), lit.text);
    if (it == codes.end())
      return unsupported(at, "the code \"" + lit.text + "\" (not a member of " + display(plain) + ")");
    e->integer = it - codes.begin();
    e->type = plain;
  }
  return e;
}

ExprPtr Lowerer::expr(const ast::Expr& e) {
  switch (e.kind) {
    case ExprKind::Literal: return literal(e.literal, type_of(e), e.span);
    case ExprKind::Name: return name(e);
    case ExprKind::Member: return member(e);
    case ExprKind::MethodCall: return method(e);
    case ExprKind::Call: return call(e);
    case ExprKind::Index: {
      const Type* base = type_of(*e.lhs);
      if (m_.plain(base)->kind != TypeKind::List) return unsupported(e.span, "indexing a map or json value");
      std::vector<ExprPtr> args;
      args.push_back(expr(*e.lhs));
      args.push_back(expr(*e.rhs));
      return make(Op::Index, type_of(e), std::move(args));
    }
    case ExprKind::Unary: {
      std::vector<ExprPtr> args;
      args.push_back(expr(*e.lhs));
      return make(e.unary_op == ast::UnaryOp::Not ? Op::Not : Op::Neg, type_of(e), std::move(args));
    }
    case ExprKind::Binary: return binary(e);
    case ExprKind::If: {
      const Type* t = type_of(e);
      std::vector<ExprPtr> args;
      args.push_back(expr(*e.cond));
      args.push_back(coerce(expr(*e.then_branch), t));
      args.push_back(e.else_branch ? coerce(expr(*e.else_branch), t) : constant_null());
      return make(Op::If, t, std::move(args));
    }
    case ExprKind::Let: {
      auto value = expr(*e.cond);
      std::uint32_t slot = fresh_slot();
      scope_.push_back({e.name.text, slot});
      auto body = expr(*e.then_branch);
      scope_.pop_back();
      auto let = make(Op::Let, body->type);
      let->slot = slot;
      let->args.push_back(std::move(value));
      let->args.push_back(std::move(body));
      return let;
    }
    case ExprKind::List:
    case ExprKind::Set: {
      const Type* t = type_of(e);
      auto list = make(Op::ListLit, t);
      for (const auto& element : e.elements) list->args.push_back(coerce(expr(*element), t->element));
      if (e.kind == ExprKind::List) return list;
      std::vector<ExprPtr> args;
      args.push_back(std::move(list));
      return make(Op::Distinct, t, std::move(args));
    }
    case ExprKind::Record: return record_literal(e);
    case ExprKind::Match: return match(e);
    case ExprKind::Map: return unsupported(e.span, "map literals");
    case ExprKind::Cast: return unsupported(e.span, "reading a json value `as` a resource");
    case ExprKind::Lambda: return unsupported(e.span, "a lambda outside a collection operation");
  }
  return unsupported(e.span, "this expression");
}

ExprPtr Lowerer::name(const ast::Expr& e) {
  for (auto it = scope_.rbegin(); it != scope_.rend(); ++it)
    if (it->name == e.name.text) return local(it->slot, type_of(e));
  auto found = result_.symbols.find(&e);
  if (found != result_.symbols.end() && found->second->kind == SymbolKind::Const) {
    const sema::Symbol& symbol = *found->second;
    const auto* decl = static_cast<const ast::ConstDecl*>(symbol.decl);
    const Type* t = type(symbol.type, e.span);
    return with_global_scope([&] { return coerce(expr(*decl->value), t); });
  }
  return unsupported(e.span, "the name `" + e.name.text + "`");
}

ExprPtr Lowerer::member(const ast::Expr& e) {
  auto found = result_.symbols.find(&e);
  if (found != result_.symbols.end()) {
    const sema::Symbol& symbol = *found->second;
    if (symbol.kind == SymbolKind::Const) {
      const auto* decl = static_cast<const ast::ConstDecl*>(symbol.decl);
      const Type* t = type(symbol.type, e.span);
      return with_global_scope([&] { return coerce(expr(*decl->value), t); });
    }
    // Enum.member
    const Type* t = type_of(e);
    auto c = make(Op::Const, m_.scalar(TypeKind::String));
    c->text = e.name.text;
    return coerce(std::move(c), t);
  }
  return field(expr(*e.lhs), e.name.text, e.optional_chain, type_of(e), e.span);
}

ExprPtr Lowerer::field(ExprPtr base, const std::string& name, bool chain, const Type* t, Span at) {
  const Type* record = m_.plain(base->type);
  if (record->kind != TypeKind::Record || record->record == nullptr)
    return unsupported(at, "reading a field of a " + display(base->type) + " value");
  const abi::FieldDesc* f = find_field(record->record, name);
  if (f == nullptr) return unsupported(at, "the field `" + name + "`");
  auto e = make(Op::Field, t);
  e->index = static_cast<std::uint32_t>(f - record->record->fields.data());
  e->chain = chain || base->type->optional;
  e->args.push_back(std::move(base));
  return e;
}

ExprPtr Lowerer::comparison(Op op, ExprPtr a, ExprPtr b) {
  // An enum meets text: a literal becomes the member; anything else compares the code.
  const Type* ta = m_.plain(a->type);
  const Type* tb = m_.plain(b->type);
  if (ta->kind == TypeKind::Enum && tb->kind == TypeKind::String) {
    b = coerce(std::move(b), ta);
    if (m_.plain(b->type)->kind != TypeKind::Enum) a = coerce(std::move(a), tb);
  } else if (tb->kind == TypeKind::Enum && ta->kind == TypeKind::String) {
    a = coerce(std::move(a), tb);
    if (m_.plain(a->type)->kind != TypeKind::Enum) b = coerce(std::move(b), ta);
  }
  std::vector<ExprPtr> args;
  args.push_back(std::move(a));
  args.push_back(std::move(b));
  return make(op, m_.scalar(TypeKind::Bool), std::move(args));
}

ExprPtr Lowerer::binary(const ast::Expr& e) {
  using B = ast::BinaryOp;
  if (e.binary_op == B::In || e.binary_op == B::NotIn) return membership(e);
  const Type* t = type_of(e);
  auto a = expr(*e.lhs);
  if (e.binary_op == B::Coalesce && e.rhs->kind == ExprKind::Call && e.rhs->callee->kind == ExprKind::Name &&
      e.rhs->callee->name.text == "fail" && result_.symbols.find(e.rhs.get()) == result_.symbols.end()) {
    // `x ?? fail(…)` rejects at the path of x.
    std::vector<ExprPtr> args;
    for (const auto& arg : e.rhs->args) args.push_back(expr(*arg.value));
    auto f = fail(std::move(args), json_path(*e.lhs), e.rhs->span);
    std::vector<ExprPtr> both;
    both.push_back(std::move(a));
    both.push_back(std::move(f));
    return make(Op::Coalesce, t, std::move(both));
  }
  auto b = expr(*e.rhs);
  Op op = Op::Add;
  switch (e.binary_op) {
    case B::Add: op = Op::Add; break;
    case B::Sub: op = Op::Sub; break;
    case B::Mul: op = Op::Mul; break;
    case B::Div: op = Op::Div; break;
    case B::Mod: op = Op::Mod; break;
    case B::Concat: op = Op::Concat; break;
    case B::Eq: return comparison(Op::Eq, std::move(a), std::move(b));
    case B::Ne: return comparison(Op::Ne, std::move(a), std::move(b));
    case B::Lt: return comparison(Op::Lt, std::move(a), std::move(b));
    case B::Le: return comparison(Op::Le, std::move(a), std::move(b));
    case B::Gt: return comparison(Op::Gt, std::move(a), std::move(b));
    case B::Ge: return comparison(Op::Ge, std::move(a), std::move(b));
    case B::And: op = Op::And; break;
    case B::Or: op = Op::Or; break;
    case B::Coalesce:
      op = Op::Coalesce;
      b = coerce(std::move(b), t);
      break;
    case B::In:
    case B::NotIn: break;
  }
  if (op == Op::Add || op == Op::Sub || op == Op::Mul || op == Op::Div || op == Op::Mod) {
    if (m_.plain(t)->kind == TypeKind::Decimal) {
      a = coerce(std::move(a), m_.scalar(TypeKind::Decimal));
      b = coerce(std::move(b), m_.scalar(TypeKind::Decimal));
    }
  }
  std::vector<ExprPtr> args;
  args.push_back(std::move(a));
  args.push_back(std::move(b));
  return make(op, t, std::move(args));
}

// `x in {a, b}` → x == a or x == b (x bound once); `x in xs` → contains(xs, x).
ExprPtr Lowerer::membership(const ast::Expr& e) {
  bool negate = e.binary_op == ast::BinaryOp::NotIn;
  auto subject = expr(*e.lhs);
  ExprPtr test;
  if (e.rhs->kind == ExprKind::Set || e.rhs->kind == ExprKind::List) {
    std::uint32_t slot = fresh_slot();
    const Type* st = subject->type;
    ExprPtr any;
    for (const auto& element : e.rhs->elements) {
      auto eq = comparison(Op::Eq, local(slot, st), expr(*element));
      if (!any) {
        any = std::move(eq);
      } else {
        std::vector<ExprPtr> args;
        args.push_back(std::move(any));
        args.push_back(std::move(eq));
        any = make(Op::Or, m_.scalar(TypeKind::Bool), std::move(args));
      }
    }
    if (!any) any = constant_bool(false);
    test = make(Op::Let, m_.scalar(TypeKind::Bool));
    test->slot = slot;
    test->args.push_back(std::move(subject));
    test->args.push_back(std::move(any));
  } else {
    auto list = expr(*e.rhs);
    const Type* element = m_.plain(list->type)->element;
    std::vector<ExprPtr> args;
    args.push_back(std::move(list));
    args.push_back(coerce(std::move(subject), element));
    test = make(Op::Contains, m_.scalar(TypeKind::Bool), std::move(args));
  }
  if (!negate) return test;
  std::vector<ExprPtr> args;
  args.push_back(std::move(test));
  return make(Op::Not, m_.scalar(TypeKind::Bool), std::move(args));
}

ExprPtr Lowerer::fail(std::vector<ExprPtr> args, std::string path, Span at) {
  auto f = make(Op::Fail, m_.scalar(TypeKind::Never));
  if (args.size() == 1) f->args.push_back(constant_null());
  for (auto& a : args) f->args.push_back(std::move(a));
  f->text = std::move(path);
  f->source = source(at);
  return f;
}

// The JSON path of a field chain from a mapping parameter ("$.address[0]" is not static: such
// chains give the path of their static prefix).
std::string Lowerer::json_path(const ast::Expr& e) const {
  std::vector<std::string> parts;
  const ast::Expr* at = &e;
  while (at->kind == ExprKind::Member) {
    parts.push_back(at->name.text);
    at = at->lhs.get();
  }
  if (at->kind != ExprKind::Name) return "$";
  std::string path = "$";
  for (auto it = parts.rbegin(); it != parts.rend(); ++it) path += "." + *it;
  return path;
}

ExprPtr Lowerer::call(const ast::Expr& e) {
  auto found = result_.symbols.find(&e);
  if (found != result_.symbols.end()) {
    const sema::Symbol& symbol = *found->second;
    switch (symbol.kind) {
      case SymbolKind::Function: return inline_function(symbol, e);
      case SymbolKind::Table: return table(symbol, e);
      case SymbolKind::Mapping: {
        auto callee = function_of_.find(&symbol);
        // Tests call mappings; mappings calling mappings are not compiled yet.
        if (!in_test_ || callee == function_of_.end()) return unsupported(e.span, "calling a mapping from another");
        auto invoke = make(Op::Invoke, type_of(e));
        invoke->index = callee->second;
        for (const auto& a : e.args) invoke->args.push_back(expr(*a.value));
        invoke->source = source(e.span);
        return invoke;
      }
      case SymbolKind::Policy: {
        // Tests call policies and look at the std Decision: the outcome of the call, turned
        // into one by the runtime from the rules that held.
        auto callee = function_of_.find(&symbol);
        if (!in_test_ || callee == function_of_.end()) return unsupported(e.span, "calling a policy in a mapping");
        auto invoke = make(Op::Invoke, m_.functions[callee->second].result);
        invoke->index = callee->second;
        for (const auto& a : e.args) invoke->args.push_back(expr(*a.value));
        invoke->source = source(e.span);
        const Type* decision = type_of(e);
        auto function = make(Op::Const, m_.scalar(TypeKind::Int));
        function->integer = callee->second;
        auto record = make(Op::Const, m_.scalar(TypeKind::Int));
        record->integer = decision->record_index;
        std::vector<ExprPtr> args;
        args.push_back(std::move(invoke));
        args.push_back(std::move(function));
        args.push_back(std::move(record));
        auto call = make(Op::Call, decision, std::move(args));
        call->text = "policy_decision";
        call->source = source(e.span);
        return call;
      }
      default: return unsupported(e.span, "this call");
    }
  }
  std::vector<const ast::Expr*> args;
  for (const auto& a : e.args) args.push_back(a.value.get());
  return builtin(e.callee->name.text, std::move(args), e);
}

ExprPtr Lowerer::builtin(const std::string& name, std::vector<const ast::Expr*> args, const ast::Expr& e) {
  if (name == "fixture")
    if (auto it = fixture_slots_.find(&e); it != fixture_slots_.end()) return local(it->second, type_of(e));
  std::vector<ExprPtr> lowered;
  for (const ast::Expr* a : args) lowered.push_back(expr(*a));
  if (name == "fail") return fail(std::move(lowered), "$", e.span);
  if (name == "fixture") return unsupported(e.span, "`fixture` outside a test");
  auto signatures = sema::find_builtin(name);
  if (signatures.empty()) return unsupported(e.span, "the function `" + name + "`");
  auto c = make(Op::Call, type_of(e), std::move(lowered));
  c->text = name;
  c->fallible = c->type->fallible;
  c->source = source(e.span);
  return c;
}

ExprPtr Lowerer::inline_function(const sema::Symbol& symbol, const ast::Expr& call) {
  const auto* decl = static_cast<const ast::FunctionDecl*>(symbol.decl);
  // Arguments by position, then by name.
  std::vector<const ast::Expr*> bound(decl->params.size(), nullptr);
  std::size_t position = 0;
  for (const auto& arg : call.args) {
    if (!arg.name) {
      if (position < bound.size()) bound[position++] = arg.value.get();
      continue;
    }
    for (std::size_t i = 0; i < decl->params.size(); ++i)
      if (decl->params[i].name.text == arg.name->text) bound[i] = arg.value.get();
  }
  std::vector<std::pair<std::uint32_t, ExprPtr>> lets;
  std::vector<Binding> callee_scope;
  for (std::size_t i = 0; i < bound.size(); ++i) {
    if (bound[i] == nullptr) return unsupported(call.span, "a call with a missing argument");
    const Type* param = type(checker_.type_in(*decl->params[i].type, symbol), call.span);
    std::uint32_t slot = fresh_slot();
    lets.emplace_back(slot, coerce(expr(*bound[i]), param));
    callee_scope.push_back({decl->params[i].name.text, slot});
  }
  std::vector<Binding> saved = std::move(scope_);
  scope_ = std::move(callee_scope);
  for (const ast::LetStmt& let : decl->lets) {
    std::uint32_t slot = fresh_slot();
    lets.emplace_back(slot, expr(*let.value));
    scope_.push_back({let.name.text, slot});
  }
  const Type* result = type(checker_.type_in(*decl->result, symbol), call.span);
  ExprPtr body = coerce(expr(*decl->body), result);
  scope_ = std::move(saved);
  for (auto it = lets.rbegin(); it != lets.rend(); ++it) {
    auto let = make(Op::Let, body->type);
    let->slot = it->first;
    let->args.push_back(std::move(it->second));
    let->args.push_back(std::move(body));
    body = std::move(let);
  }
  return body;
}

ExprPtr Lowerer::table(const sema::Symbol& symbol, const ast::Expr& call) {
  const auto* decl = static_cast<const ast::TableDecl*>(symbol.decl);
  const Type* key = type(checker_.type_in(*decl->key_type, symbol), call.span);
  const Type* value = type(checker_.type_in(*decl->value_type, symbol), call.span);
  auto t = make(Op::Table, type_of(call));
  t->args.push_back(coerce(expr(*call.args.at(0).value), key));
  for (const auto& entry : decl->entries) {
    ExprPtr v = with_global_scope([&] { return coerce(expr(*entry.value), value); });
    if (!entry.key) {
      t->index = 1;
      t->args.push_back(std::move(v));
      continue;
    }
    TableEntry te;
    te.key = entry.key->text;
    if (key->kind == TypeKind::Int) te.key_int = std::stoll(entry.key->text);
    if (key->kind == TypeKind::Enum) {
      const auto& codes = key->enumeration->codes;
      te.key_int = std::find(codes.begin(), codes.end(), entry.key->text) - codes.begin();
    }
    te.value = std::move(v);
    t->entries.push_back(std::move(te));
  }
  return t;
}

ExprPtr Lowerer::method(const ast::Expr& e) {
  ExprPtr receiver = expr(*e.lhs);
  const Type* rt = m_.plain(receiver->type);
  const bool receiver_optional = receiver->type->optional;  // `receiver` may be moved into apply
  auto apply = [&](ExprPtr r) -> ExprPtr {
    if (rt->kind == TypeKind::List) return collection_op(e, std::move(r));
    // A standard function called as a method on its first argument.
    auto signatures = sema::find_builtin(e.name.text);
    if (signatures.empty()) return unsupported(e.span, "the method `" + e.name.text + "`");
    auto c = make(Op::Call, type_of(e));
    c->text = e.name.text;
    c->args.push_back(std::move(r));
    for (const auto& a : e.args) c->args.push_back(expr(*a.value));
    if (e.optional_chain || receiver_optional) c->type = m_.plain(c->type);
    c->fallible = c->type->fallible;
    c->source = source(e.span);
    return c;
  };
  if (!(e.optional_chain || receiver_optional)) return apply(std::move(receiver));
  // r?.f(…): f only when r is present.
  std::uint32_t slot = fresh_slot();
  const Type* optional_type = receiver->type;
  auto applied = apply(local(slot, m_.plain(optional_type)));
  const Type* t = type_of(e);
  std::vector<ExprPtr> branch;
  auto present = make(Op::IsPresent, m_.scalar(TypeKind::Bool));
  present->args.push_back(local(slot, optional_type));
  branch.push_back(std::move(present));
  branch.push_back(std::move(applied));
  branch.push_back(constant_null());
  auto cond = make(Op::If, t, std::move(branch));
  auto let = make(Op::Let, t);
  let->slot = slot;
  let->args.push_back(std::move(receiver));
  let->args.push_back(std::move(cond));
  return let;
}

ExprPtr Lowerer::lambda(const ast::Expr& l, const Type* element, std::uint32_t& slot) {
  if (l.kind != ExprKind::Lambda || l.params.size() != 1)
    return unsupported(l.span, "this argument (a one-parameter lambda is expected)");
  slot = fresh_slot();
  scope_.push_back({l.params[0].text, slot});
  auto body = expr(*l.body);
  scope_.pop_back();
  return body;
}

ExprPtr Lowerer::collection_op(const ast::Expr& e, ExprPtr receiver) {
  static const std::map<std::string, Op> ops = {
      {"first", Op::First},  {"last", Op::Last},        {"any", Op::Any},           {"all", Op::All},
      {"count", Op::Count},  {"filter", Op::Filter},    {"map", Op::Map},           {"flat_map", Op::FlatMap},
      {"size", Op::Size},    {"is_empty", Op::IsEmpty}, {"contains", Op::Contains}, {"sum", Op::Sum},
      {"min", Op::Min},      {"max", Op::Max},          {"distinct", Op::Distinct}, {"to_set", Op::Distinct},
      {"take", Op::Take},    {"skip", Op::Skip},        {"sort", Op::Sort},         {"sort_by", Op::SortBy},
      {"min_by", Op::MinBy}, {"max_by", Op::MaxBy}};
  const std::string& name = e.name.text;
  const Type* list = m_.plain(receiver->type);
  if (name == "to_list") return receiver;
  if (name == "join" || name == "length") {
    auto c = make(Op::Call, m_.plain(type_of(e)));
    c->text = name;
    c->args.push_back(std::move(receiver));
    for (const auto& a : e.args) c->args.push_back(expr(*a.value));
    return c;
  }
  auto it = ops.find(name);
  if (it == ops.end()) return unsupported(e.span, "the collection operation `" + name + "`");
  const Type* t = type_of(e);
  if (e.optional_chain) t = m_.plain(t);
  if (it->second == Op::First || it->second == Op::Last || it->second == Op::Min || it->second == Op::Max ||
      it->second == Op::MinBy || it->second == Op::MaxBy)
    t = m_.optional(m_.plain(t));
  auto op = make(it->second, t);
  op->args.push_back(std::move(receiver));
  const bool takes_lambda = it->second == Op::First || it->second == Op::Last || it->second == Op::Any ||
                            it->second == Op::All || it->second == Op::Count || it->second == Op::Filter ||
                            it->second == Op::Map || it->second == Op::FlatMap || it->second == Op::SortBy ||
                            it->second == Op::MinBy || it->second == Op::MaxBy;
  for (const auto& a : e.args) {
    if (takes_lambda) {
      op->args.push_back(lambda(*a.value, list->element, op->slot));
    } else if (it->second == Op::Contains) {
      op->args.push_back(coerce(expr(*a.value), list->element));
    } else {
      op->args.push_back(expr(*a.value));
    }
  }
  return op;
}

ExprPtr Lowerer::match(const ast::Expr& e) {
  const Type* t = type_of(e);
  std::uint32_t slot = 0;
  ExprPtr subject;
  const Type* st = nullptr;
  if (e.subject) {
    subject = expr(*e.subject);
    st = subject->type;
    slot = fresh_slot();
  }
  // Built from the last arm back: the last arm (a wildcard, or the one left when every case is
  // covered — the checker proved exhaustiveness) is the final else.
  ExprPtr chain;
  for (auto arm = e.arms.rbegin(); arm != e.arms.rend(); ++arm) {
    ExprPtr value = coerce(expr(*arm->value), t);
    if (!chain || arm->wildcard) {
      chain = std::move(value);
      continue;
    }
    ExprPtr cond;
    for (const auto& pattern : arm->patterns) {
      ExprPtr test;
      if (!e.subject) {
        test = expr(*pattern);
      } else if (pattern->kind == ExprKind::Literal && pattern->literal.kind == ast::LiteralKind::Null) {
        auto present = make(Op::IsPresent, m_.scalar(TypeKind::Bool));
        present->args.push_back(local(slot, st));
        test = make(Op::Not, m_.scalar(TypeKind::Bool));
        test->args.push_back(std::move(present));
      } else {
        test = comparison(Op::Eq, local(slot, st), expr(*pattern));
      }
      if (!cond) {
        cond = std::move(test);
      } else {
        std::vector<ExprPtr> args;
        args.push_back(std::move(cond));
        args.push_back(std::move(test));
        cond = make(Op::Or, m_.scalar(TypeKind::Bool), std::move(args));
      }
    }
    std::vector<ExprPtr> args;
    args.push_back(std::move(cond));
    args.push_back(std::move(value));
    args.push_back(std::move(chain));
    chain = make(Op::If, t, std::move(args));
  }
  if (!chain) return unsupported(e.span, "an empty match");
  if (!e.subject) return chain;
  auto let = make(Op::Let, t);
  let->slot = slot;
  let->args.push_back(std::move(subject));
  let->args.push_back(std::move(chain));
  return let;
}

ExprPtr Lowerer::record_literal(const ast::Expr& e) {
  const Type* t = m_.plain(type_of(e));
  if (t->kind != TypeKind::Record) return unsupported(e.span, "an anonymous record");
  auto r = make(Op::RecordLit, t);
  for (const auto& entry : e.record_entries) {
    const abi::FieldDesc* f = find_field(t->record, entry.name.text);
    if (f == nullptr) return unsupported(entry.name.span, "the field `" + entry.name.text + "`");
    std::uint32_t index = static_cast<std::uint32_t>(f - t->record->fields.data());
    r->fields.push_back(index);
    r->args.push_back(coerce(expr(*entry.value), field_type(*f)));
  }
  return r;
}

// ───────────────────────────── statements ─────────────────────────────

void Lowerer::statements(const std::vector<ast::MappingStmtPtr>& body, std::vector<Stmt>& out, const Type* output) {
  std::size_t mark = scope_.size();
  for (const auto& s : body) {
    Stmt stmt;
    stmt.source = source(s->span);
    switch (s->kind) {
      case ast::MappingStmtKind::Let: {
        stmt.op = StmtOp::Let;
        stmt.value = expr(*s->let.value);
        stmt.slot = fresh_slot();
        scope_.push_back({s->let.name.text, stmt.slot});
        break;
      }
      case ast::MappingStmtKind::Assign: {
        stmt.op = StmtOp::Set;
        const Type* at = output;
        const abi::FieldDesc* f = nullptr;
        for (const ast::Name& part : s->target) {
          const Type* record = m_.plain(at);
          f = record->kind == TypeKind::Record ? find_field(record->record, part.text) : nullptr;
          if (f == nullptr) {
            unsupported(part.span, "the output field `" + part.text + "`");
            break;
          }
          stmt.path.push_back(static_cast<std::uint32_t>(f - record->record->fields.data()));
          stmt.path_types.push_back(record);
          at = field_type(*f);
        }
        stmt.value = coerce(expr(*s->value), at);
        break;
      }
      case ast::MappingStmtKind::When: {
        stmt.op = StmtOp::When;
        stmt.value = expr(*s->condition);
        statements(s->body, stmt.body, output);
        break;
      }
    }
    out.push_back(std::move(stmt));
  }
  scope_.resize(mark);
}

void collect_fixtures(const ast::Expr& e, std::vector<const ast::Expr*>& out) {
  if (e.kind == ExprKind::Call && e.callee && e.callee->kind == ExprKind::Name && e.callee->name.text == "fixture")
    out.push_back(&e);
  for (const ast::Expr* child : {e.lhs.get(), e.rhs.get(), e.callee.get(), e.cond.get(), e.then_branch.get(),
                                 e.else_branch.get(), e.body.get(), e.subject.get()})
    if (child != nullptr) collect_fixtures(*child, out);
  for (const auto& a : e.args) collect_fixtures(*a.value, out);
  for (const auto& x : e.elements) collect_fixtures(*x, out);
  for (const auto& r : e.record_entries) collect_fixtures(*r.value, out);
  for (const auto& arm : e.arms) collect_fixtures(*arm.value, out);
}

// A test: fixtures become parameters, `let`s bindings, each `expect` one Bool of the outcome.
void Lowerer::test(const sema::Symbol& symbol) {
  const auto* decl = static_cast<const ast::TestDecl*>(symbol.decl);
  Function f;
  f.test = true;
  f.name = symbol.name;
  f.symbol = "test." + std::to_string(m_.functions.size());
  next_slot_ = 0;
  scope_.clear();
  fixture_slots_.clear();
  in_test_ = true;
  std::vector<const ast::Expr*> fixtures;
  for (const auto& stmt : decl->body)
    collect_fixtures(stmt.kind == ast::TestStmtKind::Let ? *stmt.let.value : *stmt.expect, fixtures);
  for (const ast::Expr* call : fixtures) {
    fixture_slots_[call] = fresh_slot();
    f.params.push_back(m_.plain(type_of(*call)));
    f.param_names.push_back("fixture");
    const SourceFile& file = sources_.file(call->span.file);
    f.fixtures.push_back(
        (std::filesystem::path(file.path()).parent_path() / call->args.at(0).value->literal.text).string());
  }
  abi::RecordDesc& outcome = m_.schemas.add_record("TestOutcome." + std::to_string(m_.functions.size()));
  auto is_fixture = [](const ast::Expr* e) {
    return e != nullptr && e->kind == ExprKind::Call && e->callee && e->callee->kind == ExprKind::Name &&
           e->callee->name.text == "fixture" && e->args.size() == 1;
  };
  auto is_rejects = [](const ast::Expr& e) {
    return e.kind == ExprKind::Call && e.callee && e.callee->kind == ExprKind::Name &&
           e.callee->name.text == "rejects" && e.args.size() >= 2;
  };
  // The side compared whole with a fixture file, when the expect is `record == fixture(…)`.
  auto whole_side = [&](const ast::Expr& e) -> const ast::Expr* {
    if (e.kind != ExprKind::Binary || e.binary_op != ast::BinaryOp::Eq) return nullptr;
    const ast::Expr* other = is_fixture(e.rhs.get()) ? e.lhs.get() : is_fixture(e.lhs.get()) ? e.rhs.get() : nullptr;
    if (other == nullptr) return nullptr;
    const Type* t = type_of(*other);
    return t != nullptr && t->kind == TypeKind::Record && !t->optional ? other : nullptr;
  };
  std::size_t expects = 0;
  for (const auto& stmt : decl->body)
    if (stmt.kind == ast::TestStmtKind::Expect) {
      abi::FieldDesc field;
      field.name = "expect_" + std::to_string(expects);
      field.type.kind = abi::Kind::Bool;
      if (const ast::Expr* side = whole_side(*stmt.expect)) {
        const Type* t = type_of(*side);
        field.type.kind = abi::Kind::Record;
        field.type.record = t->record;
        const ast::Expr* file = is_fixture(stmt.expect->rhs.get()) ? stmt.expect->rhs.get() : stmt.expect->lhs.get();
        const SourceFile& source_file = sources_.file(file->span.file);
        f.whole_expects.push_back(
            {static_cast<std::uint32_t>(expects),
             (std::filesystem::path(source_file.path()).parent_path() / file->args.at(0).value->literal.text)
                 .string()});
      } else if (is_rejects(*stmt.expect)) {
        const auto& args = stmt.expect->args;
        f.rejection_expects.push_back({static_cast<std::uint32_t>(expects), args[1].value->literal.text,
                                       args.size() > 2 ? args[2].value->literal.text : std::string()});
      }
      outcome.fields.push_back(field);
      ++expects;
    }
  Type result;
  result.kind = TypeKind::Record;
  result.record = &outcome;
  result.record_index = record_index(&outcome);
  f.result = m_.type(result);
  std::uint32_t expect = 0;
  for (const auto& stmt : decl->body) {
    Stmt s;
    s.source = source(stmt.span);
    if (stmt.kind == ast::TestStmtKind::Let) {
      s.op = StmtOp::Let;
      s.value = expr(*stmt.let.value);
      s.slot = fresh_slot();
      scope_.push_back({stmt.let.name.text, s.slot});
    } else {
      s.op = StmtOp::Set;
      s.path = {expect};
      s.path_types = {f.result};
      if (outcome.fields[expect].type.kind == abi::Kind::Record) {
        s.value = expr(*whole_side(*stmt.expect));
      } else if (is_rejects(*stmt.expect)) {
        // Run it; reaching the end means it was not rejected: the expect is false.
        auto run = make(Op::Let, m_.scalar(TypeKind::Bool), [&] {
          std::vector<ExprPtr> args;
          args.push_back(expr(*stmt.expect->args[0].value));
          args.push_back(constant_bool(false));
          return args;
        }());
        run->slot = fresh_slot();
        s.value = std::move(run);
      } else {
        s.value = expr(*stmt.expect);
      }
      ++expect;
      f.expect_sources.push_back(s.source);
    }
    f.body.push_back(std::move(s));
  }
  f.slot_count = next_slot_;
  in_test_ = false;
  fixture_slots_.clear();
  m_.functions.push_back(std::move(f));
}

// A mapping or policy: its index for calls from tests, fresh slots, and its parameters in scope.
Function Lowerer::begin_function(const sema::Symbol& symbol, const std::vector<ast::Param>& params) {
  function_of_[&symbol] = static_cast<std::uint32_t>(m_.functions.size());
  Function f;
  f.name = symbol.name;
  f.symbol = symbol.name;
  next_slot_ = 0;
  scope_.clear();
  for (const auto& p : params) {
    f.params.push_back(type(checker_.type_in(*p.type, symbol), p.name.span));
    f.param_names.push_back(p.name.text);
    scope_.push_back({p.name.text, fresh_slot()});
  }
  return f;
}

void Lowerer::mapping(const sema::Symbol& symbol) {
  const auto* decl = static_cast<const ast::MappingDecl*>(symbol.decl);
  Function f = begin_function(symbol, decl->params);
  f.result = type(checker_.type_in(*decl->result, symbol), decl->name.span);
  if (f.result->kind != TypeKind::Record) unsupported(decl->name.span, "a mapping whose result is not a record");
  statements(decl->body, f.body, f.result);
  f.slot_count = next_slot_;
  m_.functions.push_back(std::move(f));
}

// ───────────────────────────── policies ─────────────────────────────

ExprPtr clone(const Expr& e) {
  auto c = std::make_unique<Expr>();
  c->op = e.op;
  c->type = e.type;
  for (const auto& a : e.args) c->args.push_back(clone(*a));
  c->text = e.text;
  c->integer = e.integer;
  c->slot = e.slot;
  c->index = e.index;
  c->chain = e.chain;
  c->fallible = e.fallible;
  c->fields = e.fields;
  for (const auto& entry : e.entries) c->entries.push_back({entry.key, entry.key_int, clone(*entry.value)});
  c->source = e.source;
  return c;
}

// An obligation's field path, from a parameter, through records and the lists on the way.
bool Lowerer::obligation_path(const ast::Expr& target, Stmt& apply, PolicyRule& rule) {
  std::vector<const ast::Expr*> chain;
  const ast::Expr* at = &target;
  while (at->kind == ExprKind::Member) {
    chain.push_back(at);
    at = at->lhs.get();
  }
  if (at->kind != ExprKind::Name) return unsupported(target.span, "this obligation target"), false;
  std::uint32_t param = 0;
  bool found = false;
  for (const Binding& b : scope_)
    if (b.name == at->name.text) param = b.slot, found = true;
  if (!found) return unsupported(target.span, "this obligation target"), false;
  apply.slot = param;
  rule.path = at->name.text;
  rule.json_path = "$";
  const Type* t = type_of(*at);
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    const Type* record = m_.plain(t);
    while (record->kind == TypeKind::List) record = m_.plain(record->element);
    if (record->kind != TypeKind::Record) return unsupported((*it)->span, "this obligation target"), false;
    const abi::FieldDesc* f = find_field(record->record, (*it)->name.text);
    if (f == nullptr) return unsupported((*it)->span, "the field `" + (*it)->name.text + "`"), false;
    apply.path.push_back(static_cast<std::uint32_t>(f - record->record->fields.data()));
    apply.path_types.push_back(record);
    t = field_type(*f);
    rule.path += "." + (*it)->name.text;
    rule.json_path += "." + (*it)->name.text + (f->type.list && std::next(it) != chain.rend() ? "[*]" : "");
  }
  return true;
}

// Rules whose condition starts with `key == constant` (the same key in many rules: an action,
// a principal id, a role) are evaluated only when the key has that value. Only the first
// conjunct is used, so short-circuit evaluation — and which conditions can fail — is unchanged.
void Lowerer::index_rules(std::vector<Stmt>& rules) {
  auto first_conjunct = [](const Expr* e) {
    while (e->op == Op::And) e = e->args[0].get();
    return e;
  };
  auto key_of = [&](const Stmt& s, std::string& key, std::string& constant) {
    if (!s.value) return false;
    const Expr* c = first_conjunct(s.value.get());
    if (c->op != Op::Eq) return false;
    const Expr* k = c->args[0].get();
    const Expr* v = c->args[1].get();
    if (k->op == Op::Const) std::swap(k, v);
    if (v->op != Op::Const) return false;
    const Expr* root = k;
    while (root->op == Op::Field) root = root->args[0].get();
    if (root->op != Op::Local) return false;
    TypeKind vk = v->type->kind;
    if (vk == TypeKind::String)
      constant = "s:" + v->text;
    else if (vk == TypeKind::Int || vk == TypeKind::Enum || vk == TypeKind::Bool)
      constant = "i:" + std::to_string(v->integer);
    else
      return false;
    if (m_.plain(k->type)->kind != vk) return false;
    key = print(*k);
    return true;
  };
  std::map<std::string, std::set<std::string>> distinct;
  for (const Stmt& s : rules) {
    std::string key, constant;
    if (key_of(s, key, constant)) distinct[key].insert(constant);
  }
  std::string best;
  for (const auto& [key, constants] : distinct)
    if (constants.size() >= 2 && (best.empty() || constants.size() > distinct[best].size())) best = key;
  if (best.empty()) return;
  Stmt index;
  index.op = StmtOp::Index;
  std::map<std::string, std::size_t> group_of;
  for (Stmt& s : rules) {
    std::string key, constant;
    if (key_of(s, key, constant) && key == best) {
      if (!index.value) {
        const Expr* c = first_conjunct(s.value.get());
        index.value = clone(c->args[0]->op == Op::Const ? *c->args[1] : *c->args[0]);
      }
      auto [it, fresh] = group_of.emplace(constant, index.groups.size());
      if (fresh) index.groups.emplace_back(constant, std::vector<Stmt>{});
      index.groups[it->second].second.push_back(std::move(s));
    } else {
      index.body.push_back(std::move(s));
    }
  }
  rules.clear();
  rules.push_back(std::move(index));
}

void Lowerer::policy(const sema::Symbol& symbol) {
  const auto* decl = static_cast<const ast::PolicyDecl*>(symbol.decl);
  Function f = begin_function(symbol, decl->params);
  f.policy = true;
  // The outcome record: the decision, then each parameter as the obligations left it.
  abi::RecordDesc& outcome = m_.schemas.add_record("PolicyOutcome." + symbol.name);
  abi::FieldDesc permitted;
  permitted.name = "permitted";
  permitted.type.kind = abi::Kind::Bool;
  outcome.fields.push_back(permitted);
  for (std::size_t i = 0; i < decl->params.size(); ++i) {
    abi::FieldDesc param;
    param.name = decl->params[i].name.text;
    param.type.kind = f.params[i]->kind == TypeKind::Record ? abi::Kind::Record : abi::Kind::Json;
    param.type.record = f.params[i]->record;
    outcome.fields.push_back(param);
  }
  Type result;
  result.kind = TypeKind::Record;
  result.record = &outcome;
  result.record_index = record_index(&outcome);
  f.result = m_.type(result);

  std::vector<Stmt> conditions, obligations;
  for (std::size_t i = 0; i < decl->rules.size(); ++i) {
    const ast::PolicyRule& r = decl->rules[i];
    PolicyRule rule;
    rule.kind = static_cast<RuleKind>(r.kind);
    rule.label = r.label ? r.label->text : std::string(to_string(rule.kind)) + "#" + std::to_string(i + 1);
    rule.source = source(r.span);
    Stmt condition;
    condition.op = StmtOp::Rule;
    condition.index = static_cast<std::uint32_t>(i);
    condition.source = rule.source;
    if (r.condition) {
      condition.value = expr(*r.condition);
      if (r.unless) {
        std::vector<ExprPtr> args;
        args.push_back(std::move(condition.value));
        condition.value = make(Op::Not, m_.scalar(TypeKind::Bool), std::move(args));
      }
    }
    if (r.kind != ast::RuleKind::Permit && r.kind != ast::RuleKind::Forbid) {
      Stmt apply;
      apply.op = StmtOp::Apply;
      apply.index = static_cast<std::uint32_t>(i);
      apply.source = rule.source;
      if (!obligation_path(*r.target, apply, rule)) continue;
      if (r.where) {
        const Type* list = field_type(apply.path_types.back()->record->fields[apply.path.back()]);
        apply.value = lambda(*r.where, list->element, apply.lambda_slot);
      }
      if (r.keep_count) apply.value = expr(*r.keep_count);
      apply.keep_last = r.keep_last;
      if (r.granularity) apply.text = r.granularity->text;
      if (r.key_name) apply.text = r.key_name->text;
      obligations.push_back(std::move(apply));
    }
    conditions.push_back(std::move(condition));
    f.rules.push_back(std::move(rule));
  }
  // Permit and forbid rules may be indexed; obligations' conditions keep their order after them.
  std::vector<Stmt> decisive, others;
  for (Stmt& s : conditions)
    (f.rules[s.index].kind == RuleKind::Permit || f.rules[s.index].kind == RuleKind::Forbid ? decisive : others)
        .push_back(std::move(s));
  index_rules(decisive);
  for (Stmt& s : decisive) f.body.push_back(std::move(s));
  for (Stmt& s : others) f.body.push_back(std::move(s));
  Stmt decide;
  decide.op = StmtOp::Decide;
  f.body.push_back(std::move(decide));
  for (Stmt& s : obligations) f.body.push_back(std::move(s));
  f.slot_count = next_slot_;
  m_.functions.push_back(std::move(f));
}

// ───────────────────────────── routes ─────────────────────────────

// A route: its clauses become the manifest's RouteInfo; `when` and `order by` become one Route
// entry point over the message whose outcome holds `when` (all `when` clauses, and-ed) and
// `order` (the ordering key as text).
void Lowerer::route(const sema::Symbol& symbol) {
  const auto* decl = static_cast<const ast::RouteDecl*>(symbol.decl);
  pack::RouteInfo info;
  info.name = symbol.name;
  info.source = source(decl->name.span);
  const ast::RouteClause* on = nullptr;
  std::vector<const ast::Expr*> whens;
  const ast::Expr* order = nullptr;
  auto string_literal = [&](const ast::Expr& e, const char* what) -> std::optional<std::string> {
    if (e.kind == ExprKind::Literal && e.literal.kind == ast::LiteralKind::String) return e.literal.text;
    unsupported(e.span, std::string(what) + " that is not a string literal");
    return std::nullopt;
  };
  for (const auto& clause : decl->clauses) {
    switch (clause.kind) {
      case ast::RouteClauseKind::On: {
        if (on == nullptr) on = &clause;
        pack::RouteTrigger trigger;
        trigger.listener = clause.listener.text;
        if (clause.verb) trigger.verb = clause.verb->text;
        if (clause.selector) trigger.selector = clause.selector->text;
        if (clause.event) trigger.event = clause.event->text;
        info.triggers.push_back(std::move(trigger));
        break;
      }
      case ast::RouteClauseKind::Fallback: info.fallback = true; break;
      case ast::RouteClauseKind::When: whens.push_back(clause.value.get()); break;
      case ast::RouteClauseKind::Order: order = clause.value.get(); break;
      case ast::RouteClauseKind::Priority: {
        const ast::Expr& e = *clause.value;
        bool negative = e.kind == ExprKind::Unary && e.unary_op == ast::UnaryOp::Negate && e.lhs;
        const ast::Expr& lit = negative ? *e.lhs : e;
        if (lit.kind == ExprKind::Literal && lit.literal.kind == ast::LiteralKind::Int)
          info.priority = (negative ? -1 : 1) * std::stoll(lit.literal.text);
        else
          unsupported(e.span, "a priority that is not an integer literal");
        break;
      }
      case ast::RouteClauseKind::Authorize: {
        info.policy = clause.target.joined();
        for (const auto& a : clause.args) {
          const ast::Expr& e = *a.value;
          pack::RouteArg arg;
          if (e.kind == ExprKind::Name &&
              (e.name.text == "principal" || e.name.text == "message" || e.name.text == "context")) {
            arg.kind = e.name.text;
          } else if (e.kind == ExprKind::Literal && e.literal.kind == ast::LiteralKind::String) {
            arg.kind = "constant";
            nlohmann::json text = e.literal.text;
            arg.json = text.dump();
          } else if (e.kind == ExprKind::Literal &&
                     (e.literal.kind == ast::LiteralKind::Int || e.literal.kind == ast::LiteralKind::Bool)) {
            arg.kind = "constant";
            arg.json = e.literal.text;
          } else {
            unsupported(e.span, "an `authorize` argument other than principal, message, context or a literal");
          }
          info.policy_args.push_back(std::move(arg));
        }
        break;
      }
      case ast::RouteClauseKind::Map: info.mapping = clause.target.joined(); break;
      case ast::RouteClauseKind::Deliver: {
        pack::RouteDelivery delivery;
        if (clause.target.parts.size() == 2) {
          delivery.family = clause.target.parts[0].text;
          delivery.operation = clause.target.parts[1].text;
        }
        for (const auto& a : clause.args) {
          if (a.name && (a.name->text == "key" || a.name->text == "order_key")) {
            delivery.key_field = a.value->name.text;
            continue;
          }
          if (auto text = string_literal(*a.value, "a delivery argument")) delivery.args.push_back(*text);
        }
        if (clause.endpoint) delivery.endpoint = clause.endpoint->text;
        info.deliveries.push_back(std::move(delivery));
        break;
      }
      case ast::RouteClauseKind::Retry: {
        info.retry = clause.target.joined();
        std::vector<std::uint32_t> delays;
        for (const auto& a : clause.args) {
          if (a.value->kind == ExprKind::Literal && a.value->literal.kind == ast::LiteralKind::Duration)
            delays.push_back(static_cast<std::uint32_t>(duration_ms(a.value->literal.text)));
          else
            unsupported(a.value->span, "a retry delay that is not a duration literal");
        }
        if (!delays.empty()) info.retry_first_ms = delays.front();
        info.retry_max_ms = delays.empty() ? 0 : delays.back();
        if (clause.value->kind == ExprKind::Literal && clause.value->literal.kind == ast::LiteralKind::Int)
          info.attempts = static_cast<std::uint32_t>(std::stoul(clause.value->literal.text));
        else
          unsupported(clause.value->span, "an attempt count that is not an integer literal");
        info.dead_letter = !clause.then_action || clause.then_action->text != "drop";
        break;
      }
    }
  }
  const sema::Type* message = on ? checker_.type_in(*on->message_type, symbol) : nullptr;
  info.message_type = message ? sema::display(message) : "json";
  if (message != nullptr && message->kind == sema::TypeKind::Record)
    info.message_format = wire_format(type(message, on->message_type->span));
  if (!whens.empty() || order != nullptr) {
    Function f;
    f.route = true;
    f.name = symbol.name + ".select";
    f.symbol = symbol.module->name + ".route." + symbol.name;
    next_slot_ = 0;
    scope_.clear();
    const Type* input = type(message, on ? on->message_type->span : decl->name.span);
    f.params.push_back(m_.plain(input));
    f.param_names.push_back("message");
    scope_.push_back({"message", fresh_slot()});
    abi::RecordDesc& outcome = m_.schemas.add_record("RouteOutcome." + symbol.name);
    abi::FieldDesc when_field;
    when_field.name = "when";
    when_field.type.kind = abi::Kind::Bool;
    outcome.fields.push_back(when_field);
    abi::FieldDesc order_field;
    order_field.name = "order";
    order_field.type.kind = abi::Kind::String;
    order_field.type.optional = true;
    outcome.fields.push_back(order_field);
    Type result;
    result.kind = TypeKind::Record;
    result.record = &outcome;
    result.record_index = record_index(&outcome);
    f.result = m_.type(result);
    Stmt when;
    when.op = StmtOp::Set;
    when.path = {0};
    when.path_types = {f.result};
    when.source = source(whens.empty() ? decl->name.span : whens.front()->span);
    ExprPtr condition = constant_bool(true);
    for (const ast::Expr* w : whens)
      condition = whens.size() == 1 ? expr(*w) : make(Op::And, m_.scalar(TypeKind::Bool), [&] {
        std::vector<ExprPtr> both;
        both.push_back(std::move(condition));
        both.push_back(expr(*w));
        return both;
      }());
    when.value = std::move(condition);
    f.body.push_back(std::move(when));
    if (order != nullptr) {
      Stmt key;
      key.op = StmtOp::Set;
      key.path = {1};
      key.path_types = {f.result};
      key.source = source(order->span);
      ExprPtr value = expr(*order);
      if (value->type->kind != TypeKind::String) {
        if (value->type->optional) {
          unsupported(order->span, "an optional `order by` key that is not a string");
        } else {
          std::vector<ExprPtr> args;
          args.push_back(std::move(value));
          value = make(Op::Call, m_.scalar(TypeKind::String), std::move(args));
          value->text = "to_string";
        }
      }
      key.value = std::move(value);
      f.body.push_back(std::move(key));
    }
    f.slot_count = next_slot_;
    info.select_entry = f.name;
    info.has_when = !whens.empty();
    info.has_order = order != nullptr;
    m_.functions.push_back(std::move(f));
  }
  m_.routes.push_back(std::move(info));
}

}  // namespace

std::unique_ptr<Module> lower_mappings(sema::Checker& checker, const sema::CheckResult& result,
                                       const std::vector<const sema::Symbol*>& mappings, const SourceManager& sources,
                                       DiagnosticSink& diagnostics) {
  auto module = std::make_unique<Module>();
  Lowerer lowerer(checker, result, sources, diagnostics, *module);
  for (const sema::Symbol* symbol : mappings) {
    if (symbol->kind == sema::SymbolKind::Policy)
      lowerer.policy(*symbol);
    else if (symbol->kind == sema::SymbolKind::Test)
      lowerer.test(*symbol);
    else if (symbol->kind == sema::SymbolKind::Route)
      lowerer.route(*symbol);
    else
      lowerer.mapping(*symbol);
  }
  lowerer.finish();
  return module;
}

}  // namespace suture::ir
