// check_calls.cpp — calls of declared functions, mappings, tables and policies; standard
// functions (also as methods); collection operations with their lambdas.
#include <algorithm>
#include <filesystem>

#include "compiler/sema/builtins.h"
#include "compiler/sema/checker.h"
#include "compiler/sema/suggest.h"

namespace suture::sema {

using ast::ExprKind;

std::vector<std::string> Checker::method_names(const Type* receiver) const {
  std::vector<std::string> names;
  if (is_collection(receiver) || receiver->kind == TypeKind::Map) names = collection_operations();
  for (const auto& b : builtin_functions()) names.push_back(b.name);
  return names;
}

const Type* Checker::check_lambda(const ast::Expr& lambda, const std::vector<const Type*>& params, Env& env,
                                  const Type* expected_result) {
  if (lambda.kind != ExprKind::Lambda) {
    diagnostics_.report(DiagCode::S3010, lambda.span, "expected a lambda such as `x => …` here")
        .label(lambda.span, "not a lambda");
    check(lambda, env);
    return types_.error();
  }
  if (lambda.params.size() != params.size()) {
    diagnostics_
        .report(DiagCode::S3010, lambda.span,
                "this lambda takes " + std::to_string(lambda.params.size()) + " parameter(s), but " +
                    std::to_string(params.size()) + " are given to it")
        .label(lambda.span, "wrong number of parameters");
    return types_.error();
  }
  std::size_t mark = env.locals.size();
  for (std::size_t i = 0; i < params.size(); ++i) {
    const ast::Name& param = lambda.params[i];
    for (const Local& other : env.locals)
      if (other.name == param.text && param.text != "_") {
        diagnostics_
            .report(DiagCode::S2014, param.span, "lambda parameter `" + param.text + "` shadows an earlier binding")
            .label(param.span, "new binding")
            .label(other.span, "earlier binding")
            .help("give the lambda parameter another name, e.g. `x`");
        break;
      }
    env.locals.push_back({param.text, params[i], param.span, false, false});
  }
  const Type* body = check(*lambda.body, env, expected_result);
  pop_locals(env, mark);
  result_.expr_types[&lambda] = body;
  return body;
}

const Type* Checker::check_collection_op(const ast::Expr& expr, const Type* receiver, Env& env) {
  const std::string& op = expr.name.text;
  const auto& args = expr.args;
  auto arity = [&](std::size_t min, std::size_t max) {
    if (args.size() >= min && args.size() <= max) return true;
    diagnostics_
        .report(DiagCode::S3006, expr.span,
                "`" + op + "` takes " +
                    (min == max ? std::to_string(min) : std::to_string(min) + " or " + std::to_string(max)) +
                    " argument(s), " + std::to_string(args.size()) + " given")
        .label(expr.span, "here");
    for (const auto& a : args)
      if (a.value->kind != ExprKind::Lambda) check(*a.value, env);
    return false;
  };
  auto predicate = [&](std::size_t i, const Type* element) {
    const Type* t = check_lambda(*args[i].value, {element}, env, types_.boolean());
    if (!is_error(t) && t->kind != TypeKind::Bool) {
      const ast::Expr& body = args[i].value->kind == ExprKind::Lambda ? *args[i].value->body : *args[i].value;
      if (t->kind == TypeKind::Optional && t->inner->kind == TypeKind::Bool)
        require_value(t, body, "a condition");
      else
        diagnostics_
            .report(DiagCode::S3008, body.span, "the condition of `" + op + "` must be a bool, found " + display(t))
            .label(body.span, "this is " + display(t));
    }
  };
  if (receiver->kind == TypeKind::Map) {
    if (op == "get" && arity(1, 1)) {
      expect_assignable(check(*args[0].value, env, receiver->inner), receiver->inner, *args[0].value, "a map key");
      return types_.optional(receiver->value);
    }
    if (op == "contains_key" && arity(1, 1)) {
      expect_assignable(check(*args[0].value, env, receiver->inner), receiver->inner, *args[0].value, "a map key");
      return types_.boolean();
    }
    if (op == "keys" && arity(0, 0)) return types_.list(receiver->inner);
    if (op == "values" && arity(0, 0)) return types_.list(receiver->value);
    if ((op == "size") && arity(0, 0)) return types_.integer();
    if ((op == "is_empty") && arity(0, 0)) return types_.boolean();
    return nullptr;
  }
  const Type* element = receiver->inner;
  if (op == "first" || op == "last" || op == "count") {
    if (!arity(0, 1)) return types_.error();
    if (args.size() == 1) predicate(0, element);
    return op == "count" ? types_.integer() : types_.optional(element);
  }
  if (op == "any" || op == "all") {
    if (!arity(1, 1)) return types_.boolean();
    predicate(0, element);
    return types_.boolean();
  }
  if (op == "filter") {
    if (!arity(1, 1)) return types_.list(element);
    predicate(0, element);
    return receiver->kind == TypeKind::Set ? receiver : types_.list(element);
  }
  if (op == "map" || op == "flat_map") {
    if (!arity(1, 1)) return types_.error();
    const Type* t = check_lambda(*args[0].value, {element}, env, nullptr);
    if (is_error(t)) return types_.error();
    if (op == "flat_map") {
      if (!is_collection(t)) {
        diagnostics_
            .report(DiagCode::S3009, args[0].value->span,
                    "`flat_map` needs a lambda that returns a list, found " + display(t))
            .label(args[0].value->span, "returns " + display(t))
            .help("use `map` for one value per element");
        return types_.error();
      }
      return types_.list(t->inner);
    }
    return types_.list(t);
  }
  if (op == "sort_by" || op == "min_by" || op == "max_by") {
    if (!arity(1, 1)) return types_.error();
    const Type* key = check_lambda(*args[0].value, {element}, env, nullptr);
    if (!is_error(key) && !is_ordered(key))
      diagnostics_
          .report(DiagCode::S3004, args[0].value->span,
                  "`" + op + "` needs a key that can be ordered, found " + display(key))
          .label(args[0].value->span, "the key is " + display(key))
          .help(is_optional(key) ? "give the key a default with `??`" : "order by a number, string, date or duration");
    return op == "sort_by" ? types_.list(element) : types_.optional(element);
  }
  if (op == "sort" || op == "min" || op == "max" || op == "sum") {
    if (!arity(0, 0)) return types_.error();
    bool ok = op == "sum" ? is_numeric(element) : is_ordered(element);
    if (!ok) {
      diagnostics_.report(DiagCode::S3004, expr.span, "`" + op + "` does not apply to a " + display(receiver))
          .label(expr.lhs->span, "elements are " + display(element))
          .help(op == "sum" ? "sum numbers, e.g. `.map(x => x.amount).sum()`"
                : element->kind == TypeKind::Enum
                    ? "annotate `enum " + display(element) + "` with `@ordered` to order its members by position"
                    : "use `" + op + "_by(x => key)`");
      return types_.error();
    }
    if (op == "sort") return types_.list(element);
    if (op == "sum") return element;
    return types_.optional(element);
  }
  if (op == "contains") {
    if (!arity(1, 1)) return types_.boolean();
    const Type* t = check(*args[0].value, env, element);
    if (!is_error(t) && !assignable(unwrap(t), element) && !assignable(element, unwrap(t)))
      diagnostics_
          .report(DiagCode::S3005, args[0].value->span,
                  "cannot look for a " + display(t) + " in a " + display(receiver))
          .label(args[0].value->span, "this is " + display(t));
    return types_.boolean();
  }
  if (op == "distinct" && arity(0, 0)) return types_.list(element);
  if (op == "is_empty" && arity(0, 0)) return types_.boolean();
  if (op == "size" && arity(0, 0)) return types_.integer();
  if (op == "to_set" && arity(0, 0)) return types_.set(element);
  if (op == "to_list" && arity(0, 0)) return types_.list(element);
  if (op == "take" || op == "skip") {
    if (!arity(1, 1)) return types_.list(element);
    expect_assignable(check(*args[0].value, env, types_.integer()), types_.integer(), *args[0].value, "a count");
    return types_.list(element);
  }
  return nullptr;
}

const Type* Checker::check_method(const ast::Expr& expr, Env& env, const Type* expected) {
  const Type* receiver = check(*expr.lhs, env);
  if (is_error(receiver)) {
    for (const auto& a : expr.args)
      if (a.value->kind != ExprKind::Lambda) check(*a.value, env);
    return types_.error();
  }
  bool chained = false;
  if (expr.optional_chain) {
    if (!is_optional(receiver))
      diagnostics_.report(DiagCode::S3015, expr.span, "`?.` is not needed: the value is never null")
          .label(expr.lhs->span, "this is " + display(receiver))
          .help("write `.` instead of `?.`");
    else {
      receiver = receiver->kind == TypeKind::Optional ? receiver->inner : receiver;
      chained = true;
    }
  } else if (receiver->kind == TypeKind::Optional && known_non_null(env, *expr.lhs)) {
    receiver = receiver->inner;
  }
  receiver = require_value(receiver, *expr.lhs, "`." + expr.name.text + "(…)`");
  if (is_error(receiver)) return types_.error();
  auto wrap = [&](const Type* t) { return chained && t != nullptr ? types_.optional(t) : t; };
  if (is_collection(receiver) || receiver->kind == TypeKind::Map) {
    if (const Type* t = check_collection_op(expr, receiver, env)) return wrap(t);
  }
  // Otherwise a standard function called as a method: `s.lower()` is `lower(s)`.
  std::vector<const ast::Expr*> args = {expr.lhs.get()};
  for (const auto& a : expr.args) args.push_back(a.value.get());
  result_.expr_types[expr.lhs.get()] = receiver;
  bool found = false;
  const Type* t = check_builtin(expr.name.text, expr, args, env, expected, found);
  if (found) return wrap(t);
  auto builder = diagnostics_.report(DiagCode::S2010, expr.name.span,
                                     "no operation `" + expr.name.text + "` on a value of type " + display(receiver));
  builder.label(expr.name.span, "unknown operation");
  if (auto near = closest(expr.name.text, method_names(receiver)))
    builder.help("did you mean `" + *near + "`?");
  else if (receiver->kind == TypeKind::Record && receiver->record->field(expr.name.text))
    builder.help("`" + expr.name.text + "` is a field: write it without parentheses");
  for (const auto& a : expr.args)
    if (a.value->kind != ExprKind::Lambda) check(*a.value, env);
  return types_.error();
}

const Type* Checker::check_builtin(const std::string& name, const ast::Expr& expr, std::vector<const ast::Expr*> args,
                                   Env& env, const Type* expected, bool& found) {
  auto overloads = find_builtin(name);
  found = !overloads.empty();
  if (!found) return types_.error();
  const BuiltinSignature* sig = nullptr;
  for (const auto* candidate : overloads)
    if (std::string(candidate->params).size() == args.size()) sig = candidate;
  // The receiver of a method call was typed already; check the rest.
  auto arg_type = [&](std::size_t i, const Type* want) {
    if (auto it = result_.expr_types.find(args[i]);
        it != result_.expr_types.end() && i == 0 && expr.kind == ExprKind::MethodCall)
      return it->second;
    return check(*args[i], env, want);
  };
  if (sig == nullptr) {
    std::string counts;
    for (const auto* candidate : overloads)
      counts += (counts.empty() ? "" : " or ") + std::to_string(std::string(candidate->params).size());
    diagnostics_
        .report(DiagCode::S3006, expr.span,
                "`" + name + "` takes " + counts + " argument(s), " + std::to_string(args.size()) + " given")
        .label(expr.span, "here")
        .note(std::string("`") + name + "`: " + overloads[0]->summary);
    for (std::size_t i = 0; i < args.size(); ++i) arg_type(i, nullptr);
    return types_.error();
  }
  const Type* first = nullptr;
  for (std::size_t i = 0; i < args.size(); ++i) {
    char code = sig->params[i];
    const Type* want = nullptr;
    switch (code) {
      case 's': want = types_.string(); break;
      case 'i': want = types_.integer(); break;
      case 'd': want = types_.decimal(); break;
      case 'b': want = types_.boolean(); break;
      case 'D': want = types_.date(); break;
      case 'T': want = types_.datetime(); break;
      case 'L': want = types_.list(types_.string()); break;
      default: break;
    }
    const Type* t = arg_type(i, want);
    if (i == 0) first = unwrap(t);
    if (is_error(t)) continue;
    std::string what = "argument " + std::to_string(i + 1) + " of `" + name + "`";
    if (want != nullptr) {
      expect_assignable(t, want, *args[i], what);
      continue;
    }
    const Type* plain = require_value(t, *args[i], what);
    bool ok = code == 'n'   ? is_numeric(plain)
              : code == 't' ? plain->kind == TypeKind::Date || plain->kind == TypeKind::DateTime ||
                                  plain->kind == TypeKind::Instant
                            : is_scalar(plain);
    if (!ok && !is_error(plain))
      diagnostics_
          .report(DiagCode::S3001, args[i]->span,
                  "mismatched types: " + what + " expects " +
                      (code == 'n'   ? "a number"
                       : code == 't' ? "a date or date-time"
                                     : "a scalar value") +
                      ", found " + display(plain))
          .label(args[i]->span, "this is " + display(plain));
  }
  const Type* result = types_.error();
  switch (sig->result) {
    case 's': result = types_.string(); break;
    case 'i': result = types_.integer(); break;
    case 'd': result = types_.decimal(); break;
    case 'b': result = types_.boolean(); break;
    case 'D': result = types_.date(); break;
    case 'T': result = types_.datetime(); break;
    case 'L': result = types_.list(types_.string()); break;
    case 'N': result = types_.never(); break;
    case '=': result = first ? first : types_.error(); break;
    case 'C': {
      Symbol* confidentiality = prelude_ ? module_symbols_[prelude_]["Confidentiality"] : nullptr;
      result = confidentiality && confidentiality->type ? confidentiality->type : types_.error();
      break;
    }
    default: break;
  }
  (void)expected;
  return sig->fallible ? types_.fallible(result) : result;
}

void Checker::check_args(const std::vector<ast::Param>& params, const std::vector<ast::Arg>& args,
                         const ast::Expr& call, Env& env, const ast::File* callee_file, ModuleInfo* callee_module) {
  std::vector<const ast::Expr*> slots(params.size(), nullptr);
  bool named_seen = false, ok = true;
  std::size_t position = 0;
  for (const auto& arg : args) {
    std::size_t index = position;
    if (arg.name) {
      named_seen = true;
      auto it = std::find_if(params.begin(), params.end(),
                             [&](const ast::Param& p) { return p.name.text == arg.name->text; });
      if (it == params.end()) {
        std::vector<std::string> names;
        names.reserve(params.size());
        for (const auto& p : params) names.push_back(p.name.text);
        auto builder =
            diagnostics_.report(DiagCode::S3007, arg.name->span, "no parameter named `" + arg.name->text + "`");
        builder.label(arg.name->span, "unknown parameter");
        if (auto near = closest(arg.name->text, names)) builder.help("did you mean `" + *near + "`?");
        check(*arg.value, env);
        ok = false;
        continue;
      }
      index = static_cast<std::size_t>(it - params.begin());
    } else if (named_seen) {
      diagnostics_.report(DiagCode::S3007, arg.value->span, "a positional argument cannot follow a named one")
          .label(arg.value->span, "positional")
          .help("name this argument too, or move it before the named ones");
      check(*arg.value, env);
      ok = false;
      continue;
    } else {
      ++position;
    }
    if (index >= params.size()) {
      check(*arg.value, env);
      continue;
    }
    if (slots[index] != nullptr) {
      diagnostics_
          .report(DiagCode::S3007, arg.value->span, "parameter `" + params[index].name.text + "` is given twice")
          .label(arg.value->span, "again here");
      ok = false;
    }
    slots[index] = arg.value.get();
    const Type* want = resolve_type(*params[index].type, callee_file, callee_module);
    const Type* t = check(*arg.value, env, want);
    expect_assignable(t, want, *arg.value, "parameter `" + params[index].name.text + "`");
  }
  if (!ok) return;
  if (args.size() > params.size() || std::count(slots.begin(), slots.end(), nullptr) > 0) {
    std::string missing;
    for (std::size_t i = 0; i < params.size(); ++i)
      if (slots[i] == nullptr) missing += (missing.empty() ? "" : ", ") + std::string("`") + params[i].name.text + "`";
    diagnostics_
        .report(DiagCode::S3006, call.span,
                "this call gives " + std::to_string(args.size()) + " argument(s) but " + std::to_string(params.size()) +
                    " are expected" + (missing.empty() ? "" : " (missing " + missing + ")"))
        .label(call.span, "here");
  }
}

const Type* Checker::call_declared(Symbol& symbol, const ast::Expr& call, Env& env, const Type* expected) {
  add_edge(env.owner, &symbol, call.callee->span);
  result_.symbols[&call] = &symbol;
  switch (symbol.kind) {
    case SymbolKind::Function: {
      const auto* decl = static_cast<const ast::FunctionDecl*>(symbol.decl);
      check_args(decl->params, call.args, call, env, symbol.file, symbol.module);
      return resolve_type(*decl->result, symbol.file, symbol.module);
    }
    case SymbolKind::Mapping: {
      const auto* decl = static_cast<const ast::MappingDecl*>(symbol.decl);
      check_args(decl->params, call.args, call, env, symbol.file, symbol.module);
      return resolve_type(*decl->result, symbol.file, symbol.module);
    }
    case SymbolKind::Policy: {
      const auto* decl = static_cast<const ast::PolicyDecl*>(symbol.decl);
      check_args(decl->params, call.args, call, env, symbol.file, symbol.module);
      Symbol* decision = prelude_ ? module_symbols_[prelude_]["Decision"] : nullptr;
      return decision && decision->type ? decision->type : types_.error();
    }
    case SymbolKind::Table: {
      const auto* decl = static_cast<const ast::TableDecl*>(symbol.decl);
      const Type* key = resolve_type(*decl->key_type, symbol.file, symbol.module);
      const Type* value = resolve_type(*decl->value_type, symbol.file, symbol.module);
      if (call.args.size() != 1) {
        diagnostics_
            .report(DiagCode::S3006, call.span,
                    "table `" + symbol.name + "` takes 1 argument (the key), " + std::to_string(call.args.size()) +
                        " given")
            .label(call.span, "here");
        for (const auto& a : call.args) check(*a.value, env);
        return value;
      }
      const Type* t = check(*call.args[0].value, env, key);
      expect_assignable(t, key, *call.args[0].value, "the key of table `" + symbol.name + "`");
      // A lookup that may miss is fallible; a `_` default (or covering every enum member) makes it total.
      bool total =
          std::any_of(decl->entries.begin(), decl->entries.end(), [](const ast::TableEntry& e) { return !e.key; });
      if (!total && key->kind == TypeKind::Enum) {
        std::set<std::string> keys;
        for (const auto& e : decl->entries)
          if (e.key) keys.insert(e.key->text);
        total = std::all_of(key->enumeration->members.begin(), key->enumeration->members.end(),
                            [&](const std::string& m) { return keys.count(m) != 0; });
      }
      return total ? value : types_.fallible(value);
    }
    default:
      diagnostics_
          .report(DiagCode::S3029, call.callee->span,
                  "`" + symbol.name + "` is " + describe(symbol.kind) + " and cannot be called")
          .label(call.callee->span, "not callable");
      for (const auto& a : call.args) check(*a.value, env);
      return types_.error();
  }
  (void)expected;
}

const Type* Checker::check_call(const ast::Expr& expr, Env& env, const Type* expected) {
  const ast::Expr& callee = *expr.callee;
  if (callee.kind != ExprKind::Name) {
    diagnostics_
        .report(DiagCode::S3029, callee.span, "only named functions, mappings, tables and policies can be called")
        .label(callee.span, "not a name");
    for (const auto& a : expr.args) check(*a.value, env);
    return types_.error();
  }
  const std::string& name = callee.name.text;
  bool local = std::any_of(env.locals.begin(), env.locals.end(), [&](const Local& l) { return l.name == name; });
  if (local) {
    diagnostics_.report(DiagCode::S3029, callee.span, "`" + name + "` is a value and cannot be called")
        .label(callee.span, "not callable");
    for (const auto& a : expr.args) check(*a.value, env);
    return types_.error();
  }
  if (name == "fixture" && expr.args.size() == 1 && expr.args[0].value->kind == ExprKind::Literal &&
      expr.args[0].value->literal.kind == ast::LiteralKind::String) {
    check(*expr.args[0].value, env);
    if (!env.in_test) {
      diagnostics_.report(DiagCode::S3029, callee.span, "`fixture` can only be used in tests")
          .label(callee.span, "outside a test");
      return types_.error();
    }
    namespace fs = std::filesystem;
    fs::path base = fs::path(program_.sources().file(env.file->file).path()).parent_path();
    std::error_code ec;
    if (!fs::exists(base / expr.args[0].value->literal.text, ec))
      diagnostics_
          .report(DiagCode::S3027, expr.args[0].value->span,
                  "fixture file `" + expr.args[0].value->literal.text + "` does not exist")
          .label(expr.args[0].value->span,
                 "looked for it next to this spec, in " + (base.empty() ? std::string(".") : base.string()))
          .help("fixture paths are relative to the spec file");
    // A fixture takes the type its use expects; with no expectation it is raw json.
    return expected ? unwrap(expected) : types_.json();
  }
  if (name == "fixture" && lookup(env.file, env.module, name) == nullptr) {
    for (const auto& a : expr.args) check(*a.value, env);
    if (expr.args.size() != 1)
      diagnostics_
          .report(DiagCode::S3006, expr.span,
                  "`fixture` takes 1 argument(s), " + std::to_string(expr.args.size()) + " given")
          .label(expr.span, "here");
    else
      diagnostics_.report(DiagCode::S3016, expr.args[0].value->span, "a fixture path must be a string literal")
          .label(expr.args[0].value->span, "not a literal")
          .help("fixtures are read when the spec is checked, e.g. `fixture(\"fixtures/patient.json\")`");
    return types_.error();
  }
  // `rejects(e, "CODE")` / `rejects(e, "CODE", "$.path")`: in a test, `e` must be rejected with
  // that code (and path). `suture test` checks it; it is false when `e` succeeds.
  if (name == "rejects" && lookup(env.file, env.module, name) == nullptr) {
    if (!env.in_test)
      diagnostics_.report(DiagCode::S3029, callee.span, "`rejects` can only be used in tests")
          .label(callee.span, "outside a test")
          .help("a mapping's own failures are written with `fail(\"CODE\", \"why\")`");
    if (expr.args.size() < 2 || expr.args.size() > 3) {
      diagnostics_
          .report(DiagCode::S3006, expr.span,
                  "`rejects` takes 2 or 3 arguments (what to run, the code, optionally the path), " +
                      std::to_string(expr.args.size()) + " given")
          .label(expr.span, "here")
          .help("e.g. `expect rejects(m(fixture(\"bad.json\")), \"PATIENT_NO_ID\", \"$.id\")`");
      for (const auto& a : expr.args) check(*a.value, env);
      return types_.boolean();
    }
    check(*expr.args[0].value, env);
    for (std::size_t i = 1; i < expr.args.size(); ++i) {
      const ast::Expr& a = *expr.args[i].value;
      check(a, env);
      if (a.kind != ExprKind::Literal || a.literal.kind != ast::LiteralKind::String)
        diagnostics_
            .report(DiagCode::S3016, a.span,
                    i == 1 ? "the expected rejection code must be a string literal"
                           : "the expected rejection path must be a string literal")
            .label(a.span, "not a literal");
    }
    return types_.boolean();
  }
  Symbol* symbol = lookup(env.file, env.module, name);
  if (symbol != nullptr && symbol->kind == SymbolKind::Broken) {
    for (const auto& a : expr.args) check(*a.value, env);
    return types_.error();
  }
  if (symbol != nullptr) return call_declared(*symbol, expr, env, expected);
  std::vector<const ast::Expr*> args;
  for (const auto& a : expr.args) {
    if (a.name)
      diagnostics_.report(DiagCode::S3007, a.name->span, "standard functions take positional arguments only")
          .label(a.name->span, "named");
    args.push_back(a.value.get());
  }
  bool found = false;
  const Type* t = check_builtin(name, expr, args, env, expected, found);
  if (found) return t;
  std::vector<std::string> candidates = visible_names(env);
  for (const auto& b : builtin_functions()) candidates.push_back(b.name);
  auto builder = diagnostics_.report(DiagCode::S2010, callee.span, "cannot find function `" + name + "`");
  builder.label(callee.span, "not a function, mapping, table or policy in scope");
  if (auto near = closest(name, candidates)) builder.help("did you mean `" + *near + "`?");
  for (const auto& a : expr.args) check(*a.value, env);
  return types_.error();
}

}  // namespace suture::sema
