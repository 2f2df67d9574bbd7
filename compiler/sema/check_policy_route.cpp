// check_policy_route.cpp — policies (permit / forbid and obligations on fields) and routes
// (triggers, authorization, mapping, deliveries, retries).
#include <algorithm>

#include "compiler/sema/checker.h"
#include "compiler/sema/suggest.h"

namespace suture::sema {

using ast::ExprKind;

const Type* Checker::check_obligation_target(const ast::Expr& target, Env& env, ast::RuleKind kind) {
  // An obligation names a field path rooted at a parameter; lists and optionals on the way
  // are stepped through (the obligation applies to every element).
  std::vector<const ast::Expr*> chain;
  const ast::Expr* at = &target;
  while (at->kind == ExprKind::Member) {
    chain.push_back(at);
    at = at->lhs.get();
  }
  if (at->kind != ExprKind::Name || chain.empty()) {
    diagnostics_
        .report(DiagCode::S3021, target.span,
                std::string("`") + ast::to_string(kind) + "` needs a field path such as `res.telecom`")
        .label(target.span, "not a field of a parameter");
    return types_.error();
  }
  const Type* t = check(*at, env);
  std::reverse(chain.begin(), chain.end());
  const FieldInfo* last = nullptr;
  for (const ast::Expr* member : chain) {
    const Type* base = unwrap(t);
    while (is_collection(base)) base = unwrap(base->inner);
    if (is_error(base)) return types_.error();
    if (base->kind != TypeKind::Record) {
      field_type(base, member->name, member->span);
      return types_.error();
    }
    last = base->record->field(member->name.text);
    if (last == nullptr) {
      field_type(base, member->name, member->span);
      return types_.error();
    }
    t = last->type;
    result_.expr_types[member] = t;
  }
  const Type* plain = unwrap(t);
  while (is_collection(plain)) plain = unwrap(plain->inner);
  auto refuse = [&](const std::string& why, const std::string& help) {
    diagnostics_
        .report(DiagCode::S3021, target.span,
                std::string("cannot ") + ast::to_string(kind) + " `" + chain.back()->name.text + "`: " + why)
        .label(target.span, "this is " + display(t))
        .help(help);
    return types_.error();
  };
  switch (kind) {
    case ast::RuleKind::Redact:
      if (t->kind != TypeKind::Optional && !is_collection(t) && t->kind != TypeKind::Json)
        return refuse("the field is required, so the message would be invalid without it",
                      "mask or generalise it instead, or redact an optional or repeated field");
      break;
    case ast::RuleKind::Mask:
    case ast::RuleKind::Pseudonymise:
      if (plain->kind != TypeKind::String)
        return refuse("only text can be masked or pseudonymised", "pick the string field inside it, e.g. `.value`");
      break;
    case ast::RuleKind::Generalise:
      if (plain->kind != TypeKind::Date && plain->kind != TypeKind::DateTime && plain->kind != TypeKind::String)
        return refuse("only dates, date-times and codes (strings) can be generalised",
                      "generalise a date or a postal code");
      break;
    default: break;
  }
  return t;
}

void Checker::check_policy(Symbol& symbol) {
  const auto* decl = static_cast<const ast::PolicyDecl*>(symbol.decl);
  Env env{symbol.file, symbol.module, &symbol};
  bind_params(env, decl->params);
  bool any_permit = false;
  std::map<std::string, Span> labels;
  for (const auto& rule : decl->rules) {
    if (rule.label) {
      auto [it, fresh] = labels.emplace(rule.label->text, rule.label->span);
      if (!fresh)
        diagnostics_.report(DiagCode::S2005, rule.label->span, "rule label `" + rule.label->text + "` is used twice")
            .label(it->second, "first used here")
            .help("decisions name the rules that decided them: each label must be unique");
    }
    if (rule.kind == ast::RuleKind::Permit) any_permit = true;
    if (rule.condition) {
      std::size_t mark = env.non_null.size();
      require_bool(*rule.condition, env, rule.unless ? "an `unless` condition" : "a `when` condition");
      env.non_null.resize(mark);
      if (rule.condition->kind == ExprKind::Literal && rule.condition->literal.kind == ast::LiteralKind::Bool)
        diagnostics_
            .report(DiagCode::S4005, rule.condition->span, "this condition is always " + rule.condition->literal.text)
            .label(rule.condition->span, "constant")
            .help(rule.condition->literal.text == (rule.unless ? "false" : "true")
                      ? "drop the condition"
                      : "remove the rule: it never applies");
    }
    if (rule.kind == ast::RuleKind::Permit || rule.kind == ast::RuleKind::Forbid) continue;
    const Type* target = check_obligation_target(*rule.target, env, rule.kind);
    if (rule.where) {
      const Type* element = unwrap(target);
      if (!is_error(element) && !is_collection(element)) {
        diagnostics_
            .report(DiagCode::S3021, rule.where->span,
                    "`where` selects elements of a list, but the field is " + display(target))
            .label(rule.where->span, "not a list");
      } else if (!is_error(element)) {
        const Type* t = check_lambda(*rule.where, {element->inner}, env, types_.boolean());
        if (!is_error(t) && t->kind != TypeKind::Bool)
          diagnostics_
              .report(DiagCode::S3008, rule.where->span, "a `where` condition needs a bool, found " + display(t))
              .label(rule.where->span, "this is " + display(t));
      }
    }
    if (rule.keep_count) {
      const Type* n = check(*rule.keep_count, env, types_.integer());
      expect_assignable(n, types_.integer(), *rule.keep_count, "`keep`");
    }
    if (rule.granularity) {
      static const std::vector<std::string> grains = {"year",    "month",   "day",    "prefix1",
                                                      "prefix2", "prefix3", "prefix4"};
      if (std::find(grains.begin(), grains.end(), rule.granularity->text) == grains.end()) {
        auto builder = diagnostics_.report(DiagCode::S3021, rule.granularity->span,
                                           "unknown granularity `" + rule.granularity->text + "`");
        builder.label(rule.granularity->span, "not year, month, day or prefixN");
        if (auto near = closest(rule.granularity->text, grains)) builder.help("did you mean `" + *near + "`?");
      }
    }
  }
  if (!any_permit)
    diagnostics_
        .report(DiagCode::S4003, decl->name.span,
                "policy `" + symbol.name + "` has no `permit` rule, so it denies every request")
        .label(decl->name.span, "always denies")
        .help("policies are default-deny: add a `permit when …` rule");
}

namespace {

const std::vector<std::string> kListeners = {"http", "mllp", "odoo", "fhir", "queue"};
const std::vector<std::string> kVerbs = {"GET", "POST", "PUT", "PATCH", "DELETE"};
struct DeliveryOp {
  const char* name;
  bool needs_model;  // first argument: an Odoo model name or FHIR resource type
};
const std::vector<std::pair<std::string, std::vector<std::string>>> kDeliveries = {
    {"odoo", {"create", "write", "upsert", "unlink", "call"}},
    {"fhir", {"create", "update", "conditional_create", "transaction"}},
    {"http", {"post", "put"}},
    {"mllp", {"send"}},
};
const std::vector<std::string> kRetryStrategies = {"exponential", "fixed", "none"};

}  // namespace

void Checker::check_route(Symbol& symbol) {
  const auto* decl = static_cast<const ast::RouteDecl*>(symbol.decl);
  Env env{symbol.file, symbol.module, &symbol};
  const Type* message = nullptr;
  const Type* output = nullptr;
  const ast::RouteClause* on_clause = nullptr;
  const ast::RouteClause* map_clause = nullptr;
  const ast::RouteClause* authorize_clause = nullptr;
  const ast::RouteClause* retry_clause = nullptr;
  bool fallback = false;
  int deliveries = 0;
  auto once = [&](const ast::RouteClause*& slot, const ast::RouteClause& clause, const char* what) {
    if (slot != nullptr)
      diagnostics_
          .report(DiagCode::S3023, clause.span,
                  std::string("route `") + symbol.name + "` has two `" + what + "` clauses")
          .label(slot->span, "first here")
          .help("a route has one of each; write a second route for another flow");
    slot = &clause;
  };
  // Triggers first: they give `message` its type for every other clause.
  for (const auto& clause : decl->clauses) {
    if (clause.kind == ast::RouteClauseKind::Fallback) fallback = true;
    if (clause.kind != ast::RouteClauseKind::On) continue;
    const std::string& listener = clause.listener.text;
    if (std::find(kListeners.begin(), kListeners.end(), listener) == kListeners.end()) {
      auto builder =
          diagnostics_.report(DiagCode::S3022, clause.listener.span, "unknown listener kind `" + listener + "`");
      builder.label(clause.listener.span, "not http, mllp, odoo, fhir or queue");
      if (auto near = closest(listener, kListeners)) builder.help("did you mean `" + *near + "`?");
    } else if (listener == "http" || listener == "fhir") {
      if (clause.verb && std::find(kVerbs.begin(), kVerbs.end(), clause.verb->text) == kVerbs.end())
        diagnostics_.report(DiagCode::S3022, clause.verb->span, "unknown HTTP method `" + clause.verb->text + "`")
            .label(clause.verb->span, "not GET, POST, PUT, PATCH or DELETE");
      if (!clause.selector || clause.selector->text.empty() || clause.selector->text[0] != '/')
        diagnostics_.report(DiagCode::S3022, clause.span, "an http trigger needs a path starting with `/`")
            .label(clause.span, "no path")
            .help("e.g. `on http POST \"/fhir/Patient\" as Patient`");
    } else if ((listener == "mllp" || listener == "odoo") && !clause.selector) {
      diagnostics_
          .report(DiagCode::S3022, clause.span,
                  listener == "mllp" ? "an mllp trigger needs a message type such as \"ADT^A01\""
                                     : "an odoo trigger needs a model name such as \"res.partner\"")
          .label(clause.span, "missing selector");
    }
    const Type* t = resolve_type(*clause.message_type, symbol.file, symbol.module);
    if (message == nullptr || is_error(message)) {
      message = t;
      on_clause = &clause;
    } else if (t != message && !is_error(t)) {
      diagnostics_
          .report(
              DiagCode::S3023, clause.message_type->span,
              "every trigger of a route must bring the same message type: " + display(message) + " and " + display(t))
          .label(clause.message_type->span, "this is " + display(t))
          .label(on_clause->message_type->span, "this is " + display(message))
          .help("write one route per message type");
    }
  }
  if (on_clause == nullptr && !fallback) {
    diagnostics_.report(DiagCode::S3023, decl->name.span, "route `" + symbol.name + "` has no `on` trigger")
        .label(decl->name.span, "never receives a message")
        .help("add e.g. `on http POST \"/fhir/Patient\" as Patient`");
  }
  if (message == nullptr) message = types_.json();
  Symbol* principal = prelude_ ? module_symbols_[prelude_]["Principal"] : nullptr;
  Symbol* context = prelude_ ? module_symbols_[prelude_]["Context"] : nullptr;
  env.locals.push_back({"message", message, decl->name.span, false, false});
  env.locals.push_back(
      {"principal", principal && principal->type ? principal->type : types_.error(), decl->name.span, false, false});
  env.locals.push_back(
      {"context", context && context->type ? context->type : types_.error(), decl->name.span, false, false});
  output = message;
  for (const auto& clause : decl->clauses) {
    switch (clause.kind) {
      case ast::RouteClauseKind::On:
      case ast::RouteClauseKind::Fallback: break;
      case ast::RouteClauseKind::When: require_bool(*clause.value, env, "a route `when`"); break;
      case ast::RouteClauseKind::Priority: {
        const Type* t = check(*clause.value, env, types_.integer());
        expect_assignable(t, types_.integer(), *clause.value, "`priority`");
        if (!is_constant(*clause.value, env))
          diagnostics_.report(DiagCode::S3016, clause.value->span, "a priority must be a constant")
              .label(clause.value->span, "not constant");
        break;
      }
      case ast::RouteClauseKind::Order: {
        const Type* t = check(*clause.value, env);
        if (!is_error(t) && !is_scalar(unwrap(t)))
          diagnostics_
              .report(DiagCode::S3023, clause.value->span, "`order by` needs a key such as an id, found " + display(t))
              .label(clause.value->span, "this is " + display(t));
        break;
      }
      case ast::RouteClauseKind::Authorize: {
        once(authorize_clause, clause, "authorize");
        Symbol* policy = lookup(symbol.file, symbol.module, clause.target.joined());
        if (policy == nullptr || policy->kind != SymbolKind::Policy) {
          if (policy != nullptr && policy->kind == SymbolKind::Broken) break;
          auto builder = diagnostics_.report(
              DiagCode::S2001, clause.target.span,
              policy ? "`" + clause.target.joined() + "` is " + describe(policy->kind) + ", not a policy"
                     : "cannot find policy `" + clause.target.joined() + "`");
          builder.label(clause.target.span, "not a policy");
          std::vector<std::string> policies;
          for (const auto& [n, s] : module_symbols_[symbol.module])
            if (s->kind == SymbolKind::Policy) policies.push_back(n);
          if (auto near = closest(clause.target.joined(), policies)) builder.help("did you mean `" + *near + "`?");
          for (const auto& a : clause.args) check(*a.value, env);
          break;
        }
        ast::Expr call(ExprKind::Call, clause.span);
        check_args(static_cast<const ast::PolicyDecl*>(policy->decl)->params, clause.args, call, env, policy->file,
                   policy->module);
        add_edge(&symbol, policy, clause.target.span);
        break;
      }
      case ast::RouteClauseKind::Map: {
        once(map_clause, clause, "map");
        Symbol* mapping = lookup(symbol.file, symbol.module, clause.target.joined());
        if (mapping == nullptr || mapping->kind != SymbolKind::Mapping) {
          if (mapping != nullptr && mapping->kind == SymbolKind::Broken) break;
          auto builder = diagnostics_.report(
              DiagCode::S2001, clause.target.span,
              mapping ? "`" + clause.target.joined() + "` is " + describe(mapping->kind) + ", not a mapping"
                      : "cannot find mapping `" + clause.target.joined() + "`");
          builder.label(clause.target.span, "not a mapping");
          std::vector<std::string> mappings;
          for (const auto& [n, s] : module_symbols_[symbol.module])
            if (s->kind == SymbolKind::Mapping) mappings.push_back(n);
          if (auto near = closest(clause.target.joined(), mappings)) builder.help("did you mean `" + *near + "`?");
          output = types_.error();
          break;
        }
        const auto* m = static_cast<const ast::MappingDecl*>(mapping->decl);
        add_edge(&symbol, mapping, clause.target.span);
        if (m->params.size() != 1) {
          diagnostics_
              .report(DiagCode::S3023, clause.target.span,
                      "a route maps with a one-parameter mapping; `" + mapping->name + "` takes " +
                          std::to_string(m->params.size()))
              .label(clause.target.span, "wrong mapping");
        } else if (on_clause != nullptr) {
          const Type* input = resolve_type(*m->params[0].type, mapping->file, mapping->module);
          if (!assignable(message, input))
            diagnostics_
                .report(DiagCode::S3023, clause.target.span,
                        "mapping `" + mapping->name + "` takes " + display(input) + " but this route receives " +
                            display(message))
                .label(clause.target.span, "expects " + display(input))
                .label(on_clause ? on_clause->message_type->span : decl->name.span,
                       "the route receives " + display(message));
        }
        output = resolve_type(*m->result, mapping->file, mapping->module);
        break;
      }
      case ast::RouteClauseKind::Deliver: {
        ++deliveries;
        const auto& parts = clause.target.parts;
        auto family = std::find_if(kDeliveries.begin(), kDeliveries.end(),
                                   [&](const auto& d) { return parts.size() == 2 && d.first == parts[0].text; });
        if (family == kDeliveries.end()) {
          diagnostics_.report(DiagCode::S3024, clause.target.span, "unknown delivery `" + clause.target.joined() + "`")
              .label(clause.target.span, "not a delivery operation")
              .help(
                  "deliveries are odoo.create/write/upsert/unlink/call, "
                  "fhir.create/update/conditional_create/transaction, "
                  "http.post/put and mllp.send");
        } else if (std::find(family->second.begin(), family->second.end(), parts[1].text) == family->second.end()) {
          auto builder = diagnostics_.report(DiagCode::S3024, parts[1].span,
                                             "`" + parts[0].text + "` has no operation `" + parts[1].text + "`");
          builder.label(parts[1].span, "unknown operation");
          if (auto near = closest(parts[1].text, family->second))
            builder.help("did you mean `" + parts[0].text + "." + *near + "`?");
        }
        const Type* out = unwrap(output);
        for (const auto& arg : clause.args) {
          if (arg.name && (arg.name->text == "key" || arg.name->text == "order_key")) {
            // `key: ref` names a field of what the route delivers.
            if (arg.value->kind != ExprKind::Name || out->kind != TypeKind::Record) {
              if (!is_error(out))
                diagnostics_.report(DiagCode::S3024, arg.value->span, "`key:` names a field of the delivered record")
                    .label(arg.value->span, "not a field name");
              continue;
            }
            if (out->record->field(arg.value->name.text) == nullptr) field_type(out, arg.value->name, arg.value->span);
            continue;
          }
          const Type* t = check(*arg.value, env);
          if (!is_error(t) && !arg.name && t->kind != TypeKind::String)
            diagnostics_
                .report(DiagCode::S3024, arg.value->span, "a delivery argument must be a string, found " + display(t))
                .label(arg.value->span, "this is " + display(t));
        }
        if (clause.endpoint && clause.endpoint->text.empty())
          diagnostics_.report(DiagCode::S3024, clause.endpoint->span, "the endpoint name is empty")
              .label(clause.endpoint->span, "name an endpoint of the host configuration");
        break;
      }
      case ast::RouteClauseKind::Retry: {
        once(retry_clause, clause, "retry");
        const std::string& strategy = clause.target.joined();
        if (std::find(kRetryStrategies.begin(), kRetryStrategies.end(), strategy) == kRetryStrategies.end()) {
          auto builder =
              diagnostics_.report(DiagCode::S3025, clause.target.span, "unknown retry strategy `" + strategy + "`");
          builder.label(clause.target.span, "not exponential, fixed or none");
          if (auto near = closest(strategy, kRetryStrategies)) builder.help("did you mean `" + *near + "`?");
        }
        std::size_t wanted = strategy == "exponential" ? 2 : strategy == "fixed" ? 1 : 0;
        if (clause.args.size() != wanted && strategy != "" &&
            std::find(kRetryStrategies.begin(), kRetryStrategies.end(), strategy) != kRetryStrategies.end())
          diagnostics_
              .report(DiagCode::S3025, clause.target.span,
                      "`" + strategy + "` takes " + std::to_string(wanted) + " duration(s), " +
                          std::to_string(clause.args.size()) + " given")
              .label(clause.target.span, "here")
              .help("e.g. `retry exponential(500ms, 5m) attempts 8 then dead_letter`");
        std::vector<std::string> durations;
        for (const auto& a : clause.args) {
          const Type* t = check(*a.value, env, types_.duration());
          expect_assignable(t, types_.duration(), *a.value, "a retry delay");
          if (a.value->kind == ExprKind::Literal && a.value->literal.kind == ast::LiteralKind::Duration)
            durations.push_back(a.value->literal.text);
        }
        auto millis = [](const std::string& d) {
          std::size_t unit = d.find_first_not_of("0123456789");
          double n = std::stod(d.substr(0, unit));
          std::string u = d.substr(unit);
          return u == "ms" ? n : u == "s" ? n * 1e3 : u == "m" ? n * 6e4 : u == "h" ? n * 3.6e6 : n * 8.64e7;
        };
        if (durations.size() == 2 && millis(durations[0]) > millis(durations[1]))
          diagnostics_
              .report(DiagCode::S3025, clause.args[1].value->span,
                      "the longest delay (" + durations[1] + ") is shorter than the first (" + durations[0] + ")")
              .label(clause.args[1].value->span, "should be at least " + durations[0]);
        const Type* n = check(*clause.value, env, types_.integer());
        expect_assignable(n, types_.integer(), *clause.value, "`attempts`");
        if (clause.value->kind == ExprKind::Literal && clause.value->literal.kind == ast::LiteralKind::Int &&
            clause.value->literal.text.find_first_not_of('0') == std::string::npos)
          diagnostics_.report(DiagCode::S3025, clause.value->span, "a route must try at least once")
              .label(clause.value->span, "zero attempts");
        if (clause.then_action && clause.then_action->text != "dead_letter" && clause.then_action->text != "drop")
          diagnostics_
              .report(DiagCode::S3025, clause.then_action->span,
                      "after the last attempt a message goes to `dead_letter` or is `drop`ped, not `" +
                          clause.then_action->text + "`")
              .label(clause.then_action->span, "unknown action");
        break;
      }
    }
  }
  if (deliveries == 0)
    diagnostics_.report(DiagCode::S4004, decl->name.span, "route `" + symbol.name + "` delivers nowhere")
        .label(decl->name.span, "no `deliver` clause")
        .help("add e.g. `deliver odoo.upsert(\"res.partner\", key: ref) to endpoint \"odoo\"`");
}

}  // namespace suture::sema
