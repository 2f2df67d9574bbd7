// check_expr.cpp — types of expressions: names, fields, operators, literals, collections,
// records, if and match. Optional values must be guarded and fallible ones handled here.
#include <algorithm>
#include <functional>

#include "compiler/sema/builtins.h"
#include "compiler/sema/checker.h"
#include "compiler/sema/suggest.h"

namespace suture::sema {
namespace {

using ast::BinaryOp;
using ast::ExprKind;

bool is_comparison(BinaryOp op) {
  return op == BinaryOp::Eq || op == BinaryOp::Ne || op == BinaryOp::Lt || op == BinaryOp::Le || op == BinaryOp::Gt ||
         op == BinaryOp::Ge;
}

bool is_literal(const ast::Expr& e, ast::LiteralKind kind) {
  return e.kind == ExprKind::Literal && e.literal.kind == kind;
}

}  // namespace

const Type* Checker::check(const ast::Expr& expr, Env& env, const Type* expected) {
  const Type* t = check_inner(expr, env, expected);
  if (t == nullptr) t = types_.error();
  result_.expr_types[&expr] = t;
  return t;
}

const Type* Checker::check_inner(const ast::Expr& expr, Env& env, const Type* expected) {
  switch (expr.kind) {
    case ExprKind::Literal: return check_literal(expr, expected);
    case ExprKind::Name: return check_name(expr, env, expected);
    case ExprKind::Member: return check_member(expr, env);
    case ExprKind::MethodCall: return check_method(expr, env, expected);
    case ExprKind::Call: return check_call(expr, env, expected);
    case ExprKind::Index: {
      const Type* base = check(*expr.lhs, env);
      if (is_error(base)) return check(*expr.rhs, env), types_.error();
      base = require_value(base, *expr.lhs, "indexing");
      if (base->kind == TypeKind::List) {
        expect_assignable(check(*expr.rhs, env, types_.integer()), types_.integer(), *expr.rhs, "a list index");
        return types_.optional(base->inner);
      }
      if (base->kind == TypeKind::Map) {
        expect_assignable(check(*expr.rhs, env, base->inner), base->inner, *expr.rhs, "a map key");
        return types_.optional(base->value);
      }
      if (base->kind == TypeKind::Json) return check(*expr.rhs, env), types_.json();
      check(*expr.rhs, env);
      diagnostics_.report(DiagCode::S3017, expr.span, "cannot index a value of type " + display(base))
          .label(expr.lhs->span, "this is " + display(base))
          .help("only lists (by position) and maps (by key) can be indexed");
      return types_.error();
    }
    case ExprKind::Unary: {
      if (expr.unary_op == ast::UnaryOp::Not) return require_bool(*expr.lhs, env, "`not`");
      const Type* t = require_value(check(*expr.lhs, env, expected), *expr.lhs, "`-`");
      if (is_error(t) || is_numeric(t) || t->kind == TypeKind::Duration) return t;
      diagnostics_.report(DiagCode::S3004, expr.span, "cannot negate a value of type " + display(t))
          .label(expr.lhs->span, "this is " + display(t));
      return types_.error();
    }
    case ExprKind::Binary: return check_binary(expr, env, expected);
    case ExprKind::If: return check_if(expr, env, expected);
    case ExprKind::Let: {
      const Type* declared = expr.let_type ? resolve_type(*expr.let_type, env.file, env.module) : nullptr;
      const Type* value = check(*expr.cond, env, declared);
      if (declared != nullptr) expect_assignable(value, declared, *expr.cond, "the binding `" + expr.name.text + "`");
      std::size_t mark = env.locals.size();
      env.locals.push_back({expr.name.text, declared ? declared : value, expr.name.span, false, true});
      const Type* body = check(*expr.then_branch, env, expected);
      pop_locals(env, mark);
      return body;
    }
    case ExprKind::Lambda:
      diagnostics_.report(DiagCode::S3010, expr.span, "a lambda can only be an argument of a collection operation")
          .label(expr.span, "not allowed here")
          .help("use it inside .map(…), .filter(…), .first(…), .any(…), .all(…), .count(…) or .sort_by(…)");
      return types_.error();
    case ExprKind::List:
    case ExprKind::Set:
    case ExprKind::Map: return check_collection(expr, env, expected);
    case ExprKind::Record: return check_record_literal(expr, env, expected);
    case ExprKind::Match: return check_match(expr, env, expected);
    case ExprKind::Cast: return check_cast(expr, env);
  }
  return types_.error();
}

const Type* Checker::check_cast(const ast::Expr& expr, Env& env) {
  // `x as Patient`: a resource held as json (contained, Bundle.entry.resource, …) read as a
  // FHIR resource type. Absent when x is absent or holds another resourceType.
  const Type* source = check(*expr.lhs, env);
  const Type* target = resolve_type(*expr.let_type, env.file, env.module);
  if (is_error(source) || is_error(target)) return types_.error();
  source = require_value(source->kind == TypeKind::Optional ? source->inner : source, *expr.lhs, "`as`");
  auto is_resource = [](const Type* t) {
    if (t->kind != TypeKind::Record || t->record->decl == nullptr) return false;
    for (const auto& a : t->record->decl->annotations)
      if (a.name.text == "resource") return true;
    return false;
  };
  if (source->kind != TypeKind::Json) {
    diagnostics_
        .report(DiagCode::S3001, expr.lhs->span,
                "`as` reads a resource held as json; this is already " + with_article(source))
        .label(expr.lhs->span, "this is " + display(source))
        .help("remove `as …`");
    return types_.error();
  }
  if (!is_resource(target)) {
    diagnostics_
        .report(DiagCode::S3001, expr.let_type->span,
                "`as` reads json as a FHIR resource type, and " + display(target) + " is not one")
        .label(expr.let_type->span, "not a resource")
        .help("use a resource type such as Patient or Observation");
    return types_.error();
  }
  return types_.optional(target);
}

const Type* Checker::check_literal(const ast::Expr& expr, const Type* expected) {
  const Type* want = expected ? unwrap(expected) : nullptr;
  switch (expr.literal.kind) {
    case ast::LiteralKind::String:
      if (want != nullptr && want->kind == TypeKind::Enum) {
        enum_string_compatible(want, expr);
        return want;
      }
      return types_.string();
    case ast::LiteralKind::Int:
      return want != nullptr && want->kind == TypeKind::Decimal ? types_.decimal() : types_.integer();
    case ast::LiteralKind::Decimal: return types_.decimal();
    case ast::LiteralKind::Bool: return types_.boolean();
    case ast::LiteralKind::Null: return types_.null();
    case ast::LiteralKind::Date: return types_.date();
    case ast::LiteralKind::DateTime:
      return want != nullptr && want->kind == TypeKind::Instant ? types_.instant() : types_.datetime();
    case ast::LiteralKind::Time: return types_.time();
    case ast::LiteralKind::Duration: return types_.duration();
  }
  return types_.error();
}

bool Checker::enum_string_compatible(const Type* enum_type, const ast::Expr& literal_expr) {
  const EnumInfo* info = enum_type->enumeration;
  if (info->has(literal_expr.literal.text)) return true;
  auto builder = diagnostics_.report(DiagCode::S2015, literal_expr.span,
                                     "\"" + literal_expr.literal.text + "\" is not a member of " + info->name);
  builder.label(literal_expr.span,
                "not one of the " + std::to_string(info->members.size()) + " codes of " + info->name);
  if (auto near = closest(literal_expr.literal.text, info->members))
    builder.help("did you mean \"" + *near + "\"?");
  else {
    std::string list;
    for (std::size_t i = 0; i < info->members.size() && i < 8; ++i) list += (i ? ", " : "") + info->members[i];
    builder.help("the members are: " + list + (info->members.size() > 8 ? ", …" : ""));
  }
  return false;
}

const Type* Checker::check_name(const ast::Expr& expr, Env& env, const Type* expected) {
  const std::string& name = expr.name.text;
  for (auto it = env.locals.rbegin(); it != env.locals.rend(); ++it) {
    if (it->name != name) continue;
    it->used = true;
    if (it->type->kind == TypeKind::Optional && known_non_null(env, expr)) return it->type->inner;
    return it->type;
  }
  Symbol* symbol = lookup(env.file, env.module, name);
  if (symbol == nullptr) {
    std::vector<std::string> candidates = visible_names(env);
    auto builder = diagnostics_.report(DiagCode::S2001, expr.name.span, "cannot find `" + name + "` in this scope");
    builder.label(expr.name.span, "not found");
    if (auto near = closest(name, candidates)) builder.help("did you mean `" + *near + "`?");
    return types_.error();
  }
  switch (symbol->kind) {
    case SymbolKind::Const:
      result_.symbols[&expr] = symbol;
      add_edge(env.owner, symbol, expr.span);
      resolve_symbol(*symbol);
      return symbol->type ? symbol->type : types_.error();
    case SymbolKind::Broken: return types_.error();
    case SymbolKind::Function:
    case SymbolKind::Mapping:
    case SymbolKind::Table:
    case SymbolKind::Policy:
      diagnostics_
          .report(DiagCode::S2016, expr.name.span, "`" + name + "` is " + describe(symbol->kind) + ", not a value")
          .label(expr.name.span, "used as a value")
          .help("call it: `" + name + "(…)`");
      return types_.error();
    default:
      diagnostics_
          .report(DiagCode::S2016, expr.name.span, "`" + name + "` is " + describe(symbol->kind) + ", not a value")
          .label(expr.name.span, "used as a value");
      return types_.error();
  }
}

const Type* Checker::field_type(const Type* base, const ast::Name& field, Span whole) {
  const std::vector<FieldInfo>* fields = nullptr;
  std::string owner = display(base);
  if (base->kind == TypeKind::Record) fields = &base->record->fields;
  if (base->kind == TypeKind::AnonRecord) fields = &base->fields;
  if (base->kind == TypeKind::Json) return types_.json();
  if (fields != nullptr)
    for (const auto& f : *fields)
      if (f.name == field.text) return f.type;
  std::vector<std::string> names;
  if (fields != nullptr)
    for (const auto& f : *fields) names.push_back(f.name);
  auto builder = diagnostics_.report(
      DiagCode::S2009, field.span,
      fields ? "no field `" + field.text + "` on type " + owner : "a value of type " + owner + " has no fields");
  builder.label(field.span, fields ? "unknown field" : "no field `" + field.text + "`");
  const bool odoo_model = base->kind == TypeKind::Record && base->record->decl != nullptr &&
                          std::any_of(base->record->decl->annotations.begin(), base->record->decl->annotations.end(),
                                      [](const ast::Annotation& a) { return a.name.text == "model"; });
  if (odoo_model && field.text.rfind("x_", 0) == 0)
    builder.help("`" + field.text +
                 "` is a custom field of your Odoo instance: generate your models with "
                 "`suture schema import odoo fields_get.json -o DIR` and import that module instead");
  else if (auto near = closest(field.text, names))
    builder.help("did you mean `" + *near + "`?");
  else if (base->kind == TypeKind::Id)
    builder.note("an " + owner + " is a record id (an integer); read the record to see its fields");
  return types_.error();
}

const Type* Checker::check_member(const ast::Expr& expr, Env& env) {
  // `Enum.member` and `namespace.CONST` are resolved by name, before any value is typed.
  if (expr.lhs->kind == ExprKind::Name) {
    bool local = std::any_of(env.locals.begin(), env.locals.end(),
                             [&](const Local& l) { return l.name == expr.lhs->name.text; });
    Symbol* symbol = local ? nullptr : lookup(env.file, env.module, expr.lhs->name.text);
    if (symbol != nullptr && symbol->kind == SymbolKind::Alias) resolve_symbol(*symbol);
    if (symbol != nullptr && symbol->type != nullptr && symbol->type->kind == TypeKind::Enum &&
        (symbol->kind == SymbolKind::Enum || symbol->kind == SymbolKind::Alias)) {
      const EnumInfo* info = symbol->type->enumeration;
      result_.expr_types[expr.lhs.get()] = symbol->type;
      result_.symbols[&expr] = symbol;
      if (!info->has(expr.name.text)) {
        auto builder = diagnostics_.report(DiagCode::S2015, expr.name.span,
                                           "`" + expr.name.text + "` is not a member of " + info->name);
        builder.label(expr.name.span, "unknown member");
        if (auto near = closest(expr.name.text, info->members)) builder.help("did you mean `" + *near + "`?");
      }
      return symbol->type;
    }
    if (symbol != nullptr && symbol->kind == SymbolKind::Namespace) {
      auto& table = module_symbols_[symbol->namespace_module];
      auto it = table.find(expr.name.text);
      if (it == table.end() || it->second->kind != SymbolKind::Const) {
        diagnostics_
            .report(DiagCode::S2001, expr.name.span,
                    "module " + symbol->namespace_module->name + " has no constant `" + expr.name.text + "`")
            .label(expr.name.span, "not found");
        return types_.error();
      }
      add_edge(env.owner, it->second, expr.span);
      resolve_symbol(*it->second);
      result_.symbols[&expr] = it->second;
      return it->second->type;
    }
  }
  const Type* base = check(*expr.lhs, env);
  if (is_error(base)) return types_.error();
  if (expr.optional_chain) {
    if (!is_optional(base) && base->kind != TypeKind::Json) {
      diagnostics_.report(DiagCode::S3015, expr.span, "`?.` is not needed: the value is never null")
          .label(expr.lhs->span, "this is " + display(base) + ", not optional")
          .help("write `.` instead of `?.`");
    }
    const Type* inner = base->kind == TypeKind::Optional ? base->inner : base;
    if (inner->kind == TypeKind::Null) return types_.null();
    const Type* field = field_type(require_value(inner, *expr.lhs, "a field access"), expr.name, expr.span);
    return types_.optional(field);
  }
  if (base->kind == TypeKind::Optional && known_non_null(env, *expr.lhs)) base = base->inner;
  if (base->kind == TypeKind::Optional) {
    std::string lhs_text = program_.sources()
                               .file(expr.lhs->span.file)
                               .text()
                               .substr(expr.lhs->span.begin, expr.lhs->span.end - expr.lhs->span.begin);
    diagnostics_
        .report(DiagCode::S3002, expr.span,
                "`" + lhs_text + "` may be null, so its field `" + expr.name.text + "` cannot be read directly")
        .label(expr.lhs->span, "this is " + display(base))
        .help("write `" + lhs_text + "?." + expr.name.text + "` (the result is optional), or check `" + lhs_text +
              " != null` first");
    base = base->inner;
  }
  base = require_value(base, *expr.lhs, "a field access");
  if (is_collection(base)) {
    const Type* element_field = base->inner->kind == TypeKind::Record
                                    ? base->inner->record->field(expr.name.text) ? base->inner : nullptr
                                    : nullptr;
    auto builder = diagnostics_.report(DiagCode::S3009, expr.span,
                                       "cannot read field `" + expr.name.text + "` of a " + display(base));
    builder.label(expr.lhs->span, "this is a list, not one " + display(base->inner));
    const auto& ops = collection_operations();
    if (std::find(ops.begin(), ops.end(), expr.name.text) != ops.end())
      builder.help("`" + expr.name.text + "` is an operation on lists: call it, e.g. `." + expr.name.text + "(…)`");
    else if (element_field != nullptr)
      builder.help("pick one element first, e.g. `.first(x => …)?." + expr.name.text +
                   "`, or map over all: `.map(x => x." + expr.name.text + ")`");
    return types_.error();
  }
  // A field path proved non-null by a condition (`p.x != null and …`) reads as its plain type, as a name does.
  const Type* result = field_type(base, expr.name, expr.span);
  if (result->kind == TypeKind::Optional && known_non_null(env, expr)) return result->inner;
  return result;
}

const Type* Checker::require_value(const Type* t, const ast::Expr& expr, const std::string& what) {
  if (is_error(t)) return t;
  const auto& file = program_.sources().file(expr.span.file);
  std::string text = file.text().substr(expr.span.begin, std::min<std::uint32_t>(expr.span.end - expr.span.begin, 60));
  if (t->kind == TypeKind::Fallible) {
    diagnostics_.report(DiagCode::S3003, expr.span, "`" + text + "` can fail, and the failure is not handled")
        .label(expr.span, "this is " + display(t) + " (may fail at run time)")
        .help("give a default with `?? value`, or reject the message with `?? fail(\"reason\")`");
    return unwrap(t);
  }
  if (t->kind == TypeKind::Optional || t->kind == TypeKind::Null) {
    diagnostics_.report(DiagCode::S3002, expr.span, "`" + text + "` may be null, but " + what + " needs a value")
        .label(expr.span, "this is " + display(t))
        .help("give a default with `" + text + " ?? …`, or check `" + text + " != null` first");
    return t->kind == TypeKind::Null ? types_.error() : t->inner;
  }
  return t;
}

bool Checker::expect_assignable(const Type* actual, const Type* expected, const ast::Expr& expr,
                                const std::string& what) {
  if (assignable(actual, expected)) return true;
  const Type* plain = unwrap(actual);
  if (actual->kind == TypeKind::Optional && assignable(plain, expected)) {
    require_value(actual, expr, what);
    return false;
  }
  if (actual->kind == TypeKind::Fallible && assignable(actual->inner, expected)) {
    require_value(actual, expr, what);
    return false;
  }
  if (actual->kind == TypeKind::Fallible) {
    require_value(actual, expr, what);
    return false;
  }
  if (actual->kind == TypeKind::Null) {
    diagnostics_.report(DiagCode::S3001, expr.span, what + " needs " + with_article(expected) + ", but `null` is given")
        .label(expr.span, "null")
        .help("give a value, or make the field optional (`" + display(expected) + "?`)");
    return false;
  }
  auto builder =
      diagnostics_.report(DiagCode::S3001, expr.span,
                          "mismatched types: " + what + " expects " + display(expected) + ", found " + display(actual));
  builder.label(expr.span, "this is " + display(actual));
  const Type* want = unwrap(expected);
  if (want->kind == TypeKind::Id)
    builder.help("this field is a many2one: it holds a record id of type " + display(want) + ", not a " +
                 display(plain) + "; look the record up, or use an id");
  else if (want->kind == TypeKind::String && is_scalar(plain))
    builder.help("convert it with `to_string(…)`");
  else if (plain->kind == TypeKind::String && (want->kind == TypeKind::Int || want->kind == TypeKind::Decimal))
    builder.help("parse it with `parse_" + std::string(want->kind == TypeKind::Int ? "int" : "decimal") +
                 "(…)`, which can fail: handle it with `??`");
  else if (plain->kind == TypeKind::String && (want->kind == TypeKind::Date || want->kind == TypeKind::DateTime))
    builder.help("parse it with `parse_" + std::string(want->kind == TypeKind::Date ? "date" : "datetime") +
                 "(…)`, which can fail: handle it with `??`");
  else if (plain->kind == TypeKind::Decimal && want->kind == TypeKind::Int)
    builder.help("round it explicitly with `round(…)`, `floor(…)` or `ceil(…)`");
  return false;
}

const Type* Checker::require_bool(const ast::Expr& expr, Env& env, const std::string& what) {
  const Type* t = check(expr, env, types_.boolean());
  if (is_error(t)) return types_.boolean();
  if (t->kind == TypeKind::Optional && t->inner->kind == TypeKind::Bool) {
    require_value(t, expr, what);
    return types_.boolean();
  }
  t = require_value(t, expr, what);
  if (t->kind != TypeKind::Bool && !is_error(t))
    diagnostics_.report(DiagCode::S3008, expr.span, what + " needs a bool, found " + display(t))
        .label(expr.span, "this is " + display(t))
        .help(t->kind == TypeKind::String || is_collection(t)
                  ? "test it explicitly, e.g. `x != \"\"` or `not xs.is_empty()`"
                  : "compare it with a value to get a bool");
  return types_.boolean();
}

const Type* Checker::check_binary(const ast::Expr& expr, Env& env, const Type* expected) {
  BinaryOp op = expr.binary_op;
  if (op == BinaryOp::And || op == BinaryOp::Or) {
    std::string what = std::string("`") + ast::to_string(op) + "`";
    require_bool(*expr.lhs, env, what);
    std::size_t mark = env.non_null.size();
    for (auto& fact : facts(*expr.lhs, op == BinaryOp::And)) env.non_null.push_back(fact);
    require_bool(*expr.rhs, env, what);
    env.non_null.resize(mark);
    return types_.boolean();
  }
  if (is_comparison(op)) return check_comparison(expr, env);
  if (op == BinaryOp::In || op == BinaryOp::NotIn) return check_in(expr, env);
  if (op == BinaryOp::Coalesce) return check_coalesce(expr, env, expected);
  return check_arithmetic(expr, env);
}

const Type* Checker::check_comparison(const ast::Expr& expr, Env& env) {
  BinaryOp op = expr.binary_op;
  const bool rhs_literal = expr.rhs->kind == ExprKind::Literal;
  // Type the non-literal side first so a string literal can be checked against an enum.
  const Type* lt = nullptr;
  const Type* rt = nullptr;
  if (expr.lhs->kind == ExprKind::Literal && !rhs_literal) {
    rt = check(*expr.rhs, env);
    lt = check(*expr.lhs, env, unwrap(rt));
  } else {
    lt = check(*expr.lhs, env);
    rt = check(*expr.rhs, env, unwrap(lt));
  }
  if (is_error(lt) || is_error(rt)) return types_.boolean();
  if (op == BinaryOp::Eq || op == BinaryOp::Ne) {
    if (is_fallible(lt)) lt = require_value(lt, *expr.lhs, "a comparison");
    if (is_fallible(rt)) rt = require_value(rt, *expr.rhs, "a comparison");
    bool l_null = lt->kind == TypeKind::Null, r_null = rt->kind == TypeKind::Null;
    if (l_null || r_null) {
      const Type* other = l_null ? rt : lt;
      const ast::Expr& other_expr = l_null ? *expr.rhs : *expr.lhs;
      if (!is_optional(other) && other->kind != TypeKind::Json && !known_non_null(env, other_expr))
        diagnostics_
            .report(DiagCode::S3020, expr.span,
                    std::string("this comparison is always ") + (op == BinaryOp::Eq ? "false" : "true") +
                        ": the value is never null")
            .label(other_expr.span, "this is " + display(other) + ", not optional");
      return types_.boolean();
    }
    const Type* a = unwrap(lt);
    const Type* b = unwrap(rt);
    bool ok = assignable(a, b) || assignable(b, a) || (is_numeric(a) && is_numeric(b)) ||
              (a->kind == TypeKind::Enum && b->kind == TypeKind::String) ||
              (b->kind == TypeKind::Enum && a->kind == TypeKind::String) || a->kind == TypeKind::Json ||
              b->kind == TypeKind::Json;
    if (!ok) {
      auto builder =
          diagnostics_.report(DiagCode::S3005, expr.span, "cannot compare " + display(lt) + " with " + display(rt));
      builder.label(expr.lhs->span, "this is " + display(lt)).label(expr.rhs->span, "this is " + display(rt));
      if ((a->kind == TypeKind::String) != (b->kind == TypeKind::String) && (is_scalar(a) || is_scalar(b)))
        builder.help("convert one side first: `to_string(…)` or a `parse_…(…)` function");
    }
    return types_.boolean();
  }
  const Type* a = require_value(lt, *expr.lhs, std::string("`") + ast::to_string(op) + "`");
  const Type* b = require_value(rt, *expr.rhs, std::string("`") + ast::to_string(op) + "`");
  if (is_error(a) || is_error(b)) return types_.boolean();
  bool comparable = (a == b && is_ordered(a)) || (is_numeric(a) && is_numeric(b)) ||
                    (a->kind == TypeKind::Instant && b->kind == TypeKind::DateTime) ||
                    (b->kind == TypeKind::Instant && a->kind == TypeKind::DateTime);
  if (!comparable) {
    if (a == b || !is_ordered(a) || !is_ordered(b))
      diagnostics_
          .report(DiagCode::S3004, expr.span,
                  std::string("`") + ast::to_string(op) + "` cannot order values of type " + display(a) +
                      (a == b ? "" : " and " + display(b)))
          .label(expr.span, "not ordered")
          .help(a->kind == TypeKind::Enum && a == b
                    ? "annotate `enum " + display(a) + "` with `@ordered` to order its members by position"
                    : std::string("ordering works on numbers, strings, dates, date-times, times and durations"));
    else
      diagnostics_.report(DiagCode::S3005, expr.span, "cannot compare " + display(a) + " with " + display(b))
          .label(expr.lhs->span, "this is " + display(a))
          .label(expr.rhs->span, "this is " + display(b));
  }
  return types_.boolean();
}

const Type* Checker::check_in(const ast::Expr& expr, Env& env) {
  const Type* container = check(*expr.rhs, env);
  if (is_error(container)) return check(*expr.lhs, env), types_.boolean();
  container = require_value(container, *expr.rhs, "`in`");
  const Type* element = nullptr;
  if (is_collection(container) || container->kind == TypeKind::Map)
    element = container->inner;  // map: its keys
  else if (container->kind == TypeKind::String)
    element = types_.string();
  if (element == nullptr) {
    check(*expr.lhs, env);
    diagnostics_
        .report(DiagCode::S3009, expr.rhs->span,
                "`in` needs a list, set, map or string on its right, found " + display(container))
        .label(expr.rhs->span, "this is " + display(container));
    return types_.boolean();
  }
  const Type* item = check(*expr.lhs, env, element);
  if (is_error(item)) return types_.boolean();
  if (is_fallible(item)) item = require_value(item, *expr.lhs, "`in`");
  const Type* plain = unwrap(item);
  const Type* want = unwrap(element);
  if (!(assignable(plain, want) || assignable(want, plain) || (is_numeric(plain) && is_numeric(want)) ||
        (plain->kind == TypeKind::Enum && want->kind == TypeKind::String)))
    diagnostics_
        .report(DiagCode::S3005, expr.span, "cannot look for a " + display(item) + " in a " + display(container))
        .label(expr.lhs->span, "this is " + display(item))
        .label(expr.rhs->span, "this holds " + display(element));
  return types_.boolean();
}

const Type* Checker::check_coalesce(const ast::Expr& expr, Env& env, const Type* expected) {
  const Type* lt = check(*expr.lhs, env, expected ? types_.optional(expected) : nullptr);
  if (is_error(lt)) return check(*expr.rhs, env, expected), types_.error();
  const Type* inner = lt;
  if (lt->kind == TypeKind::Fallible) inner = lt->inner;
  if (inner->kind == TypeKind::Optional) inner = inner->inner;
  if (lt->kind != TypeKind::Fallible && !is_optional(lt) && lt->kind != TypeKind::Json) {
    auto builder =
        diagnostics_.report(DiagCode::S3015, expr.span, "`??` is not needed: the value is never null and cannot fail");
    builder.label(expr.lhs->span, "this is " + display(lt));
    if (expr.lhs->kind == ExprKind::Binary && expr.lhs->binary_op != BinaryOp::Coalesce)
      builder.help(
          std::string("`??` binds looser than `") + ast::to_string(expr.lhs->binary_op) +
          "`: it applies to the whole left side; to default only its last operand, put `… ?? …` in parentheses");
    else
      builder.help("remove `?? …`");
  } else if (known_non_null(env, *expr.lhs))
    inner = unwrap(lt);
  if (inner->kind == TypeKind::Null) inner = types_.never();
  const Type* rt = check(*expr.rhs, env, inner->kind == TypeKind::Never ? expected : inner);
  if (is_error(rt)) return inner;
  const Type* joined = join(types_, inner, rt);
  if (joined == nullptr) {
    diagnostics_
        .report(DiagCode::S3001, expr.rhs->span,
                "mismatched types: the default is " + display(rt) + " but the value is " + display(inner))
        .label(expr.rhs->span, "this is " + display(rt))
        .label(expr.lhs->span, "this is " + display(lt));
    return types_.error();
  }
  return joined;
}

const Type* Checker::check_arithmetic(const ast::Expr& expr, Env& env) {
  BinaryOp op = expr.binary_op;
  std::string what = std::string("`") + ast::to_string(op) + "`";
  if (op == BinaryOp::Concat) {
    const Type* lt = check(*expr.lhs, env);
    const Type* rt = check(*expr.rhs, env, lt->kind == TypeKind::List ? lt : types_.string());
    if (is_error(lt) || is_error(rt)) return is_collection(unwrap(lt)) ? unwrap(lt) : types_.string();
    const Type* a = require_value(lt, *expr.lhs, what);
    const Type* b = require_value(rt, *expr.rhs, what);
    auto stringy = [](const Type* t) { return t->kind == TypeKind::String || t->kind == TypeKind::Enum; };
    if (stringy(a) && stringy(b)) return types_.string();
    if (a->kind == TypeKind::List && b->kind == TypeKind::List) {
      if (const Type* j = join(types_, a, b)) return j;
    }
    diagnostics_
        .report(DiagCode::S3004, expr.span,
                "`++` joins two strings or two lists, not " + display(a) + " and " + display(b))
        .label(expr.lhs->span, "this is " + display(a))
        .label(expr.rhs->span, "this is " + display(b))
        .help(stringy(a) || stringy(b) ? "convert the other side with `to_string(…)`" : "use `+` to add numbers");
    return types_.error();
  }
  const Type* a = require_value(check(*expr.lhs, env), *expr.lhs, what);
  const Type* b = require_value(check(*expr.rhs, env), *expr.rhs, what);
  if (is_error(a) || is_error(b)) return types_.error();
  auto bad = [&]() {
    auto builder = diagnostics_.report(DiagCode::S3004, expr.span,
                                       what + " does not apply to " + display(a) + " and " + display(b));
    builder.label(expr.lhs->span, "this is " + display(a)).label(expr.rhs->span, "this is " + display(b));
    if (op == BinaryOp::Add && (a->kind == TypeKind::String || b->kind == TypeKind::String))
      builder.help("join strings with `++`");
    return types_.error();
  };
  auto kind = [](const Type* t) { return t->kind; };
  const bool dates = kind(a) == TypeKind::Date || kind(a) == TypeKind::DateTime || kind(a) == TypeKind::Instant;
  if (op == BinaryOp::Add || op == BinaryOp::Sub) {
    if (is_numeric(a) && is_numeric(b))
      return kind(a) == TypeKind::Decimal || kind(b) == TypeKind::Decimal ? types_.decimal() : types_.integer();
    if (dates && kind(b) == TypeKind::Duration) return a;
    if (kind(a) == TypeKind::Duration && kind(b) == TypeKind::Duration) return a;
    if (op == BinaryOp::Sub && dates && (a == b || (kind(b) == TypeKind::DateTime || kind(b) == TypeKind::Instant)))
      return types_.duration();
    return bad();
  }
  if (op == BinaryOp::Mul) {
    if (is_numeric(a) && is_numeric(b))
      return kind(a) == TypeKind::Decimal || kind(b) == TypeKind::Decimal ? types_.decimal() : types_.integer();
    if (kind(a) == TypeKind::Duration && kind(b) == TypeKind::Int) return a;
    return bad();
  }
  // `/` and `%`: a constant non-zero divisor is total; any other divisor makes the result fallible.
  if (!(is_numeric(a) && is_numeric(b)) ||
      (op == BinaryOp::Mod && (kind(a) != TypeKind::Int || kind(b) != TypeKind::Int)))
    return bad();
  // The divisor's value when it is a number literal, or a constant (through other constants)
  // whose value is one; `-` in front does not change whether it is zero.
  std::function<const ast::Literal*(const ast::Expr&, int)> constant_number = [&](const ast::Expr& e,
                                                                                  int depth) -> const ast::Literal* {
    if (depth > 16) return nullptr;
    if (is_literal(e, ast::LiteralKind::Int) || is_literal(e, ast::LiteralKind::Decimal)) return &e.literal;
    if (e.kind == ExprKind::Unary && e.unary_op == ast::UnaryOp::Negate) return constant_number(*e.lhs, depth + 1);
    if (e.kind != ExprKind::Name) return nullptr;
    for (const Local& local : env.locals)
      if (local.name == e.name.text) return nullptr;
    Symbol* symbol = lookup(env.file, env.module, e.name.text, false);
    if (symbol == nullptr || symbol->kind != SymbolKind::Const || symbol->decl == nullptr) return nullptr;
    return constant_number(*static_cast<const ast::ConstDecl*>(symbol->decl)->value, depth + 1);
  };
  const ast::Expr& divisor = *expr.rhs;
  const ast::Literal* known = constant_number(divisor, 0);
  if (known != nullptr && known->text.find_first_not_of("0.") == std::string::npos) {
    diagnostics_.report(DiagCode::S3026, divisor.span, "division by zero")
        .label(divisor.span, known == &divisor.literal ? "this divisor is zero" : "this constant is zero");
    return types_.error();
  }
  const Type* result = op == BinaryOp::Mod ? types_.integer() : types_.decimal();
  return known != nullptr ? result : types_.fallible(result);
}

const Type* Checker::check_collection(const ast::Expr& expr, Env& env, const Type* expected) {
  const Type* want = expected ? unwrap(expected) : nullptr;
  if (expr.kind == ExprKind::Map) {
    const Type* key = want && want->kind == TypeKind::Map ? want->inner : nullptr;
    const Type* value = want && want->kind == TypeKind::Map ? want->value : nullptr;
    for (const auto& entry : expr.map_entries) {
      const Type* k = check(*entry.key, env, key);
      const Type* v = check(*entry.value, env, value);
      key = key ? (join(types_, key, k) ? join(types_, key, k) : key) : k;
      value = value ? (join(types_, value, v) ? join(types_, value, v) : value) : v;
    }
    return types_.map(key ? key : types_.string(), value ? value : types_.json());
  }
  const Type* element = want && (is_collection(want)) ? want->inner : nullptr;
  const Type* joined = element;
  for (const auto& item : expr.elements) {
    const Type* t = check(*item, env, element);
    if (is_error(t)) continue;
    if (element != nullptr) {
      expect_assignable(t, element, *item, "an element of " + display(want));
      continue;
    }
    if (joined == nullptr) {
      joined = t;
    } else if (const Type* j = join(types_, joined, t)) {
      joined = j;
    } else {
      diagnostics_
          .report(DiagCode::S3001, item->span,
                  "mismatched types: the elements before are " + display(joined) + ", this one is " + display(t))
          .label(item->span, "this is " + display(t));
    }
  }
  if (joined == nullptr) {
    if (expr.elements.empty() && want != nullptr && want->kind == TypeKind::Json) return types_.json();
    if (!expr.elements.empty()) return types_.error();
    diagnostics_
        .report(
            DiagCode::S3018, expr.span,
            std::string("cannot tell the element type of this empty ") + (expr.kind == ExprKind::List ? "list" : "set"))
        .label(expr.span, "empty, with nothing around it saying what it holds")
        .help("annotate the binding, e.g. `let xs: list<string> = []`");
    return types_.error();
  }
  return expr.kind == ExprKind::List ? types_.list(joined) : types_.set(joined);
}

const Type* Checker::check_record_literal(const ast::Expr& expr, Env& env, const Type* expected) {
  const Type* want = expected ? unwrap(expected) : nullptr;
  std::map<std::string, Span> seen;
  if (want != nullptr && want->kind == TypeKind::Record) {
    const RecordInfo* info = want->record;
    for (const auto& entry : expr.record_entries) {
      auto [it, fresh] = seen.emplace(entry.name.text, entry.name.span);
      if (!fresh)
        diagnostics_.report(DiagCode::S2019, entry.name.span, "field `" + entry.name.text + "` is given twice")
            .label(it->second, "first given here");
      const FieldInfo* field = info->field(entry.name.text);
      if (field == nullptr) {
        field_type(want, entry.name, entry.name.span);
        check(*entry.value, env);
        continue;
      }
      const Type* t = check(*entry.value, env, field->type);
      expect_assignable(t, field->type, *entry.value, "field `" + field->name + "`");
    }
    std::vector<std::string> missing;
    for (const auto& f : info->fields)
      if (f.type->kind != TypeKind::Optional && f.type->kind != TypeKind::List && f.type->kind != TypeKind::Set &&
          f.type->kind != TypeKind::Map && f.type->kind != TypeKind::Json && f.type->kind != TypeKind::Bool &&
          !f.readonly && seen.count(f.name) == 0)
        missing.push_back(f.name);
    if (!missing.empty()) {
      std::string list;
      for (std::size_t i = 0; i < missing.size(); ++i) list += (i ? ", " : "") + std::string("`") + missing[i] + "`";
      diagnostics_
          .report(DiagCode::S3011, expr.span,
                  "missing required field" + std::string(missing.size() > 1 ? "s " : " ") + list + " of " + info->name)
          .label(expr.span, info->name + " needs " + list);
    }
    return want;
  }
  std::vector<FieldInfo> fields;
  for (const auto& entry : expr.record_entries) {
    auto [it, fresh] = seen.emplace(entry.name.text, entry.name.span);
    if (!fresh)
      diagnostics_.report(DiagCode::S2019, entry.name.span, "field `" + entry.name.text + "` is given twice")
          .label(it->second, "first given here");
    fields.push_back({entry.name.text, check(*entry.value, env), false, entry.name.span, nullptr, {}});
  }
  return types_.anon_record(std::move(fields));
}

const Type* Checker::check_if(const ast::Expr& expr, Env& env, const Type* expected) {
  require_bool(*expr.cond, env, "an `if` condition");
  std::size_t mark = env.non_null.size();
  for (auto& fact : facts(*expr.cond, true)) env.non_null.push_back(fact);
  const Type* a = check(*expr.then_branch, env, expected);
  env.non_null.resize(mark);
  for (auto& fact : facts(*expr.cond, false)) env.non_null.push_back(fact);
  const Type* b = check(*expr.else_branch, env, expected ? expected : a);
  env.non_null.resize(mark);
  const Type* joined = join(types_, a, b);
  if (joined == nullptr) {
    diagnostics_
        .report(DiagCode::S3001, expr.span,
                "the branches of this `if` have different types: " + display(a) + " and " + display(b))
        .label(expr.then_branch->span, "this is " + display(a))
        .label(expr.else_branch->span, "this is " + display(b));
    return types_.error();
  }
  return joined;
}

const Type* Checker::check_match(const ast::Expr& expr, Env& env, const Type* expected) {
  const Type* subject = expr.subject ? check(*expr.subject, env) : nullptr;
  if (subject != nullptr && is_fallible(subject)) subject = require_value(subject, *expr.subject, "`match`");
  const Type* plain = subject ? unwrap(subject) : nullptr;
  std::optional<std::string> subject_path = expr.subject ? path_of(*expr.subject) : std::nullopt;
  std::set<std::string> covered;
  bool null_covered = false, wildcard = false;
  const Type* result = nullptr;
  std::size_t mark = env.non_null.size();
  for (const auto& arm : expr.arms) {
    if (wildcard) {
      diagnostics_.report(DiagCode::S3014, arm.span, "this arm is never reached: an earlier `_` matches everything")
          .label(arm.span, "unreachable")
          .help("move it above the `_` arm, or remove it");
    }
    for (const auto& pattern : arm.patterns) {
      if (subject == nullptr) {
        require_bool(*pattern, env, "a `match` condition");
        continue;
      }
      const Type* p = check(*pattern, env, plain);
      if (is_error(p) || is_error(plain)) continue;
      if (p->kind == TypeKind::Null) {
        null_covered = true;
        if (!is_optional(subject))
          diagnostics_.report(DiagCode::S3020, pattern->span, "this arm never matches: the subject is never null")
              .label(pattern->span, "the subject is " + display(subject));
        continue;
      }
      if (!is_constant(*pattern, env)) {
        diagnostics_
            .report(DiagCode::S3030, pattern->span,
                    "a pattern must be a constant (a literal, a const or an enum member)")
            .label(pattern->span, "not constant")
            .help("to test conditions write `match { cond => … }` without a subject");
        continue;
      }
      if (!(assignable(p, plain) || assignable(plain, p) || (is_numeric(p) && is_numeric(plain)))) {
        diagnostics_
            .report(DiagCode::S3005, pattern->span,
                    "this pattern is " + display(p) + " but the subject is " + display(subject))
            .label(pattern->span, "this is " + display(p));
        continue;
      }
      if (pattern->kind == ExprKind::Literal)
        covered.insert(pattern->literal.text);
      else if (pattern->kind == ExprKind::Member)
        covered.insert(pattern->name.text);
    }
    if (arm.wildcard) wildcard = true;
    if (subject_path && null_covered && is_optional(subject)) env.non_null.push_back(*subject_path);
    const Type* value = check(*arm.value, env, expected ? expected : result);
    if (is_error(value)) {
      result = result ? result : value;
      continue;
    }
    if (result == nullptr || is_error(result)) {
      result = value;
    } else if (const Type* j = join(types_, result, value)) {
      result = j;
    } else {
      diagnostics_
          .report(DiagCode::S3001, arm.value->span,
                  "the arms of this `match` have different types: " + display(result) + " and " + display(value))
          .label(arm.value->span, "this is " + display(value));
    }
  }
  env.non_null.resize(mark);
  if (!wildcard) {
    std::vector<std::string> missing;
    if (plain != nullptr && plain->kind == TypeKind::Enum) {
      for (const auto& m : plain->enumeration->members)
        if (covered.count(m) == 0) missing.push_back(m);
    } else if (plain != nullptr && plain->kind == TypeKind::Bool) {
      for (const char* b : {"true", "false"})
        if (covered.count(b) == 0) missing.push_back(b);
    } else if (!(plain != nullptr && is_error(plain))) {
      missing.push_back("_");
    }
    if (subject != nullptr && is_optional(subject) && !null_covered) missing.push_back("null");
    if (!missing.empty()) {
      std::string list;
      for (std::size_t i = 0; i < missing.size() && i < 6; ++i) list += (i ? ", " : "") + missing[i];
      if (missing.size() > 6) list += ", …";
      bool only_default = missing.size() == 1 && missing[0] == "_";
      diagnostics_
          .report(DiagCode::S3013, expr.span,
                  only_default ? "this `match` has no `_` arm, so some values match no arm"
                               : "this `match` does not cover every case: " + list)
          .label(expr.span, "not exhaustive")
          .help(only_default ? "add a default arm `_ => …`"
                             : "add arms for the missing cases, or a default arm `_ => …`");
    }
  }
  return result ? result : types_.error();
}

}  // namespace suture::sema
