// check_decls.cpp — bodies of constants, tables, functions, mappings and tests; local
// bindings and their unused / shadowing warnings.
#include <algorithm>

#include "compiler/sema/checker.h"

namespace suture::sema {

using ast::ExprKind;

void Checker::check_decl(Symbol& symbol) {
  if (symbol.decl == nullptr) return;
  ++result_.declarations_checked;
  switch (symbol.kind) {
    case SymbolKind::Const: resolve_symbol(symbol); break;
    case SymbolKind::Table: check_table(symbol); break;
    case SymbolKind::Function: check_function(symbol); break;
    case SymbolKind::Mapping: check_mapping(symbol); break;
    case SymbolKind::Policy: check_policy(symbol); break;
    case SymbolKind::Route: check_route(symbol); break;
    case SymbolKind::Test: check_test(symbol); break;
    default: break;
  }
}

void Checker::pop_locals(Env& env, std::size_t mark) {
  for (std::size_t i = mark; i < env.locals.size(); ++i) {
    const Local& local = env.locals[i];
    if (local.warn_unused && !local.used && !local.name.empty() && local.name[0] != '_')
      diagnostics_.report(DiagCode::S2013, local.span, "`" + local.name + "` is bound but never used")
          .label(local.span, "unused")
          .help("remove the binding, or name it `_" + local.name + "`");
  }
  env.locals.resize(mark);
}

void Checker::bind_params(Env& env, const std::vector<ast::Param>& params) {
  std::map<std::string, Span> seen;
  for (const auto& p : params) {
    auto [it, fresh] = seen.emplace(p.name.text, p.name.span);
    if (!fresh)
      diagnostics_.report(DiagCode::S2008, p.name.span, "parameter `" + p.name.text + "` is declared twice")
          .label(it->second, "first declared here");
    env.locals.push_back({p.name.text, resolve_type(*p.type, env.file, env.module), p.name.span, false, false});
  }
}

void Checker::check_let(Env& env, const ast::LetStmt& let) {
  const Type* declared = let.type ? resolve_type(*let.type, env.file, env.module) : nullptr;
  const Type* value = check(*let.value, env, declared);
  if (declared != nullptr) expect_assignable(value, declared, *let.value, "the binding `" + let.name.text + "`");
  for (const Local& other : env.locals)
    if (other.name == let.name.text) {
      diagnostics_.report(DiagCode::S2014, let.name.span, "`" + let.name.text + "` shadows an earlier binding")
          .label(let.name.span, "new binding")
          .label(other.span, "earlier binding")
          .help("give it another name");
      break;
    }
  env.locals.push_back({let.name.text, declared ? declared : value, let.name.span, false, true});
}

bool Checker::is_constant(const ast::Expr& expr, Env& env) {
  switch (expr.kind) {
    case ExprKind::Literal: return true;
    case ExprKind::Name: {
      if (std::any_of(env.locals.begin(), env.locals.end(), [&](const Local& l) { return l.name == expr.name.text; }))
        return false;
      Symbol* s = lookup(env.file, env.module, expr.name.text, false);
      return s == nullptr || s->kind == SymbolKind::Const || s->kind == SymbolKind::Broken;
    }
    case ExprKind::Member: {
      auto it = result_.expr_types.find(expr.lhs.get());
      if (expr.lhs->kind == ExprKind::Name && it != result_.expr_types.end() && it->second->kind == TypeKind::Enum) {
        Symbol* s = lookup(env.file, env.module, expr.lhs->name.text, false);
        return s != nullptr && (s->kind == SymbolKind::Enum || s->kind == SymbolKind::Alias);
      }
      return false;
    }
    case ExprKind::Unary: return is_constant(*expr.lhs, env);
    case ExprKind::Binary: return is_constant(*expr.lhs, env) && is_constant(*expr.rhs, env);
    case ExprKind::List:
    case ExprKind::Set:
      return std::all_of(expr.elements.begin(), expr.elements.end(),
                         [&](const auto& e) { return is_constant(*e, env); });
    case ExprKind::Map:
      return std::all_of(expr.map_entries.begin(), expr.map_entries.end(),
                         [&](const auto& e) { return is_constant(*e.key, env) && is_constant(*e.value, env); });
    case ExprKind::Record:
      return std::all_of(expr.record_entries.begin(), expr.record_entries.end(),
                         [&](const auto& e) { return is_constant(*e.value, env); });
    case ExprKind::If:
      return is_constant(*expr.cond, env) && is_constant(*expr.then_branch, env) && is_constant(*expr.else_branch, env);
    default: return false;
  }
}

void Checker::check_const(Symbol& symbol) {
  if (symbol.state == Symbol::State::Resolved) return;
  symbol.state = Symbol::State::Resolving;
  const auto* decl = static_cast<const ast::ConstDecl*>(symbol.decl);
  Env env{symbol.file, symbol.module, &symbol};
  const Type* declared = decl->type ? resolve_type(*decl->type, symbol.file, symbol.module) : nullptr;
  const Type* value = check(*decl->value, env, declared);
  if (symbol.state == Symbol::State::Resolved) return;  // a cycle was found and reported
  if (declared != nullptr) expect_assignable(value, declared, *decl->value, "constant `" + symbol.name + "`");
  if (!is_error(value) && !is_constant(*decl->value, env))
    diagnostics_
        .report(DiagCode::S3016, decl->value->span, "the value of constant `" + symbol.name + "` is not constant")
        .label(decl->value->span, "computed from something that is not a constant")
        .help("constants are built from literals, other constants and operators; use a `fn` for the rest");
  if (is_fallible(value) && declared == nullptr) require_value(value, *decl->value, "a constant");
  symbol.type = declared ? declared : value;
  symbol.state = Symbol::State::Resolved;
}

void Checker::check_table(Symbol& symbol) {
  const auto* decl = static_cast<const ast::TableDecl*>(symbol.decl);
  Env env{symbol.file, symbol.module, &symbol};
  const Type* key = resolve_type(*decl->key_type, symbol.file, symbol.module);
  const Type* value = resolve_type(*decl->value_type, symbol.file, symbol.module);
  if (!is_error(key) && key->kind != TypeKind::String && key->kind != TypeKind::Int && key->kind != TypeKind::Enum)
    diagnostics_
        .report(DiagCode::S3019, decl->key_type->span,
                "a table key must be a string, an int or an enum, not " + display(key))
        .label(decl->key_type->span, "unsupported key type");
  std::map<std::string, Span> seen;
  bool has_default = false;
  for (const auto& entry : decl->entries) {
    if (!entry.key) {
      if (has_default)
        diagnostics_.report(DiagCode::S2017, entry.span, "table `" + symbol.name + "` has two default `_` entries")
            .label(entry.span, "second default");
      has_default = true;
    } else {
      ast::Expr literal_expr(ExprKind::Literal, entry.key->span);
      literal_expr.literal = *entry.key;
      const Type* k = check_literal(literal_expr, key);
      if (!is_error(key) && !assignable(k, key))
        diagnostics_
            .report(DiagCode::S3019, entry.key->span,
                    "this key is " + display(k) + " but the table's keys are " + display(key))
            .label(entry.key->span, "wrong key type");
      auto [it, fresh] = seen.emplace(entry.key->text, entry.key->span);
      if (!fresh)
        diagnostics_
            .report(
                DiagCode::S2017, entry.key->span,
                "key " +
                    (entry.key->kind == ast::LiteralKind::String ? "\"" + entry.key->text + "\"" : entry.key->text) +
                    " appears twice in table `" + symbol.name + "`")
            .label(it->second, "first here")
            .label(entry.key->span, "again here");
    }
    const Type* v = check(*entry.value, env, value);
    expect_assignable(v, value, *entry.value, "a value of table `" + symbol.name + "`");
    if (!is_constant(*entry.value, env))
      diagnostics_.report(DiagCode::S3016, entry.value->span, "table values must be constants")
          .label(entry.value->span, "not constant");
  }
}

void Checker::check_function(Symbol& symbol) {
  const auto* decl = static_cast<const ast::FunctionDecl*>(symbol.decl);
  Env env{symbol.file, symbol.module, &symbol};
  bind_params(env, decl->params);
  std::size_t mark = env.locals.size();
  for (const auto& let : decl->lets) check_let(env, let);
  const Type* result = resolve_type(*decl->result, symbol.file, symbol.module);
  const Type* body = check(*decl->body, env, result);
  expect_assignable(body, result, *decl->body, "the result of `" + symbol.name + "`");
  pop_locals(env, mark);
}

void Checker::check_mapping(Symbol& symbol) {
  const auto* decl = static_cast<const ast::MappingDecl*>(symbol.decl);
  Env env{symbol.file, symbol.module, &symbol};
  bind_params(env, decl->params);
  const Type* output = resolve_type(*decl->result, symbol.file, symbol.module);
  if (!is_error(output) && output->kind != TypeKind::Record) {
    diagnostics_.report(DiagCode::S3001, decl->result->span, "a mapping produces a record, not " + display(output))
        .label(decl->result->span, "not a record type");
    output = types_.error();
  }
  std::map<std::string, Span> assigned;
  std::set<std::string> maybe;
  check_mapping_body(decl->body, env, output, assigned, false, maybe);
  if (is_error(output)) return;
  std::vector<std::string> missing, conditional;
  for (const auto& f : output->record->fields) {
    bool required = f.type->kind != TypeKind::Optional && f.type->kind != TypeKind::List &&
                    f.type->kind != TypeKind::Set && f.type->kind != TypeKind::Map && f.type->kind != TypeKind::Json &&
                    f.type->kind != TypeKind::Bool && !f.readonly;
    if (!required || assigned.count(f.name) != 0) continue;
    (maybe.count(f.name) != 0 ? conditional : missing).push_back(f.name);
  }
  auto list = [](const std::vector<std::string>& names) {
    std::string out;
    for (std::size_t i = 0; i < names.size() && i < 6; ++i) out += (i ? ", " : "") + std::string("`") + names[i] + "`";
    return names.size() > 6 ? out + ", …" : out;
  };
  if (!missing.empty())
    diagnostics_
        .report(DiagCode::S3011, decl->name.span,
                "mapping `" + symbol.name + "` never sets the required field" + (missing.size() > 1 ? "s " : " ") +
                    list(missing) + " of " + output->record->name)
        .label(decl->name.span, output->record->name + " cannot be created without " + list(missing))
        .help("assign " + list(missing) + " in the mapping");
  if (!conditional.empty())
    diagnostics_
        .report(DiagCode::S3011, decl->name.span,
                "mapping `" + symbol.name + "` sets the required field" + (conditional.size() > 1 ? "s " : " ") +
                    list(conditional) + " only under a `when`")
        .label(decl->name.span, "may produce " + output->record->name + " without " + list(conditional))
        .help("assign a value on every path, e.g. with `if … then … else …`");
}

void Checker::check_mapping_body(const std::vector<ast::MappingStmtPtr>& body, Env& env, const Type* output,
                                 std::map<std::string, Span>& assigned, bool conditional,
                                 std::set<std::string>& maybe_assigned) {
  std::size_t mark = env.locals.size();
  for (const auto& stmt : body) {
    if (stmt->kind == ast::MappingStmtKind::Let) {
      check_let(env, stmt->let);
      continue;
    }
    if (stmt->kind == ast::MappingStmtKind::When) {
      require_bool(*stmt->condition, env, "a `when` condition");
      std::size_t facts_mark = env.non_null.size();
      for (auto& fact : facts(*stmt->condition, true)) env.non_null.push_back(fact);
      check_mapping_body(stmt->body, env, output, assigned, true, maybe_assigned);
      env.non_null.resize(facts_mark);
      continue;
    }
    // Assignment: walk the target path through the output record.
    const Type* target = output;
    std::string path;
    bool ok = !is_error(output);
    bool refused_readonly = false;
    for (std::size_t i = 0; ok && i < stmt->target.size(); ++i) {
      const ast::Name& part = stmt->target[i];
      const Type* record = unwrap(target);
      if (record->kind != TypeKind::Record) {
        diagnostics_.report(DiagCode::S2009, part.span, "cannot set `" + part.text + "` inside a " + display(target))
            .label(part.span, display(target) + " has no fields");
        ok = false;
        break;
      }
      const FieldInfo* field = record->record->field(part.text);
      if (field == nullptr) {
        field_type(record, part, part.span);
        ok = false;
        break;
      }
      if (field->readonly && !field->choice_kind_of.empty()) {
        refused_readonly = true;
        diagnostics_
            .report(
                DiagCode::S3012, part.span,
                "`" + part.text + "` says which `" + part.text + "[x]` alternative is present; it cannot be written")
            .label(part.span, "set by the codec")
            .help("assign one alternative instead, e.g. `" + part.text + "Quantity = …`");
      } else if (field->readonly) {
        refused_readonly = true;
        diagnostics_
            .report(DiagCode::S3012, part.span,
                    "`" + part.text + "` of " + record->record->name + " is readonly and cannot be written")
            .label(part.span, "readonly field")
            .label(field->span, "declared readonly here")
            .help("remove this assignment: the server computes this field");
      }
      path += (path.empty() ? "" : ".") + part.text;
      target = field->type;
    }
    if (!ok || refused_readonly) {  // the value is still checked, but not against a refused target
      check(*stmt->value, env);
      if (!ok) continue;
    }
    const Type* value = refused_readonly ? types_.error() : check(*stmt->value, env, target);
    expect_assignable(value, target, *stmt->value, "field `" + path + "`");
    auto [it, fresh] = assigned.emplace(path, stmt->target.front().span);
    if (!fresh)
      diagnostics_.report(DiagCode::S2019, stmt->target.front().span, "field `" + path + "` is assigned twice")
          .label(it->second, "first assigned here")
          .help("keep one assignment; use `if` or `??` to choose between values");
    if (conditional) {
      // Under a `when` the field may stay unset: it counts as assigned only for duplicates.
      if (fresh) assigned.erase(path);
      maybe_assigned.insert(path);
    } else if (stmt->target.size() > 1) {
      assigned.emplace(stmt->target.front().text, stmt->target.front().span);
    }
  }
  pop_locals(env, mark);
}

void Checker::check_test(Symbol& symbol) {
  const auto* decl = static_cast<const ast::TestDecl*>(symbol.decl);
  Env env{symbol.file, symbol.module, &symbol};
  env.in_test = true;
  for (const auto& stmt : decl->body) {
    if (stmt.kind == ast::TestStmtKind::Let) {
      check_let(env, stmt.let);
      continue;
    }
    require_bool(*stmt.expect, env, "`expect`");
  }
  pop_locals(env, 0);
}

}  // namespace suture::sema
