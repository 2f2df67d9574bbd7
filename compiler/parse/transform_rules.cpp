// transform_rules.cpp — mappings, policies, routes and tests: the declarations that hold rules.
#include "compiler/parse/transformer.h"

namespace suture::parse {

ast::DeclPtr Transformer::mapping(P::MappingDeclContext* ctx) {
  auto out = std::make_unique<ast::MappingDecl>();
  out->name = name(ctx->name());
  out->params = params(ctx->paramList());
  out->result = type(ctx->typeExpr());
  for (auto* s : ctx->mappingStmt()) out->body.push_back(mapping_stmt(s));
  return out;
}

ast::MappingStmtPtr Transformer::mapping_stmt(P::MappingStmtContext* ctx) {
  if (auto* l = dynamic_cast<P::LetMappingStmtContext*>(ctx)) {
    auto out = std::make_unique<ast::MappingStmt>(ast::MappingStmtKind::Let);
    out->let = let(l->letStmt());
    out->span = span(ctx);
    return out;
  }
  if (auto* a = dynamic_cast<P::AssignMappingStmtContext*>(ctx)) {
    auto out = std::make_unique<ast::MappingStmt>(ast::MappingStmtKind::Assign);
    for (auto* part : a->fieldPath()->memberName()) out->target.push_back(member_name(part));
    out->value = expr(a->expr());
    out->span = span(ctx);
    return out;
  }
  auto* w = dynamic_cast<P::WhenMappingStmtContext*>(ctx);
  auto out = std::make_unique<ast::MappingStmt>(ast::MappingStmtKind::When);
  out->condition = expr(w->expr());
  for (auto* s : w->mappingStmt()) out->body.push_back(mapping_stmt(s));
  out->span = span(ctx);
  return out;
}

ast::DeclPtr Transformer::policy(P::PolicyDeclContext* ctx) {
  auto out = std::make_unique<ast::PolicyDecl>();
  out->name = name(ctx->name());
  out->params = params(ctx->paramList());
  for (auto* r : ctx->policyRule()) out->rules.push_back(policy_rule(r));
  return out;
}

ast::PolicyRule Transformer::policy_rule(P::PolicyRuleContext* ctx) {
  ast::PolicyRule out;
  out.span = span(ctx);
  auto set_condition = [&](P::ConditionContext* c) {
    if (c == nullptr) return;
    out.condition = expr(c->expr());
    out.unless = c->UNLESS() != nullptr;
  };
  auto set_label = [&](P::NameContext* n) {
    if (n != nullptr) out.label = name(n);
  };
  if (auto* e = dynamic_cast<P::EffectRuleContext*>(ctx)) {
    out.kind = e->effect->getType() == P::PERMIT ? ast::RuleKind::Permit : ast::RuleKind::Forbid;
    set_label(e->name());
    set_condition(e->condition());
  } else if (auto* r = dynamic_cast<P::RedactRuleContext*>(ctx)) {
    out.kind = ast::RuleKind::Redact;
    set_label(r->name());
    out.target = expr(r->expr());
    if (r->lambda() != nullptr) out.where = lambda(r->lambda());
    set_condition(r->condition());
  } else if (auto* m = dynamic_cast<P::MaskRuleContext*>(ctx)) {
    out.kind = ast::RuleKind::Mask;
    set_label(m->name());
    out.target = expr(m->expr(0));
    out.keep_last = m->LAST() != nullptr;
    out.keep_count = expr(m->expr(1));
    set_condition(m->condition());
  } else if (auto* g = dynamic_cast<P::GeneraliseRuleContext*>(ctx)) {
    out.kind = ast::RuleKind::Generalise;
    auto names = g->name();
    // `label: generalise x to year` has two names; without a label only the granularity.
    if (names.size() == 2) out.label = name(names[0]);
    out.granularity = name(names.back());
    out.target = expr(g->expr());
    set_condition(g->condition());
  } else if (auto* p = dynamic_cast<P::PseudonymiseRuleContext*>(ctx)) {
    out.kind = ast::RuleKind::Pseudonymise;
    set_label(p->name());
    out.target = expr(p->expr());
    if (p->STRING() != nullptr) out.key_name = string_literal(p->STRING());
    set_condition(p->condition());
  }
  return out;
}

ast::DeclPtr Transformer::route(P::RouteDeclContext* ctx) {
  auto out = std::make_unique<ast::RouteDecl>();
  out->name = name(ctx->name());
  for (auto* c : ctx->routeClause()) out->clauses.push_back(route_clause(c));
  return out;
}

ast::RouteClause Transformer::route_clause(P::RouteClauseContext* ctx) {
  ast::RouteClause out;
  out.span = span(ctx);
  if (auto* on = dynamic_cast<P::OnClauseContext*>(ctx)) {
    out.kind = ast::RouteClauseKind::On;
    auto names = on->name();  // listener, [verb], [event name]
    out.listener = name(names[0]);
    std::size_t verb_end = names.size() - (on->EVENT() != nullptr ? 1 : 0);
    if (verb_end > 1) out.verb = name(names[1]);
    if (on->EVENT() != nullptr) out.event = name(names.back());
    if (on->STRING() != nullptr) out.selector = string_literal(on->STRING());
    out.message_type = type(on->typeExpr());
  } else if (auto* w = dynamic_cast<P::WhenClauseContext*>(ctx)) {
    out.kind = ast::RouteClauseKind::When;
    out.value = expr(w->expr());
  } else if (auto* p = dynamic_cast<P::PriorityClauseContext*>(ctx)) {
    out.kind = ast::RouteClauseKind::Priority;
    out.value = expr(p->expr());
  } else if (dynamic_cast<P::FallbackClauseContext*>(ctx) != nullptr) {
    out.kind = ast::RouteClauseKind::Fallback;
  } else if (auto* a = dynamic_cast<P::AuthorizeClauseContext*>(ctx)) {
    out.kind = ast::RouteClauseKind::Authorize;
    out.target.parts.push_back(name(a->name()));
    out.target.span = out.target.parts[0].span;
    out.args = args(a->argList());
  } else if (auto* m = dynamic_cast<P::MapClauseContext*>(ctx)) {
    out.kind = ast::RouteClauseKind::Map;
    out.target.parts.push_back(name(m->name()));
    out.target.span = out.target.parts[0].span;
  } else if (auto* d = dynamic_cast<P::DeliverClauseContext*>(ctx)) {
    out.kind = ast::RouteClauseKind::Deliver;
    out.target = qualified(d->qualifiedName());
    out.args = args(d->argList());
    out.endpoint = string_literal(d->STRING());
  } else if (auto* r = dynamic_cast<P::RetryClauseContext*>(ctx)) {
    out.kind = ast::RouteClauseKind::Retry;
    auto names = r->name();
    out.target.parts.push_back(name(names[0]));
    out.target.span = out.target.parts[0].span;
    out.args = args(r->argList());
    out.value = expr(r->expr());
    if (names.size() > 1) out.then_action = name(names[1]);
  } else if (auto* o = dynamic_cast<P::OrderClauseContext*>(ctx)) {
    out.kind = ast::RouteClauseKind::Order;
    out.value = expr(o->expr());
  }
  return out;
}

ast::DeclPtr Transformer::test(P::TestDeclContext* ctx) {
  auto out = std::make_unique<ast::TestDecl>();
  ast::Literal description = string_literal(ctx->STRING());
  out->name = {description.text, description.span};
  for (auto* s : ctx->testStmt()) {
    ast::TestStmt stmt;
    stmt.span = span(s);
    if (auto* l = dynamic_cast<P::LetTestStmtContext*>(s)) {
      stmt.kind = ast::TestStmtKind::Let;
      stmt.let = let(l->letStmt());
    } else if (auto* e = dynamic_cast<P::ExpectTestStmtContext*>(s)) {
      stmt.kind = ast::TestStmtKind::Expect;
      stmt.expect = expr(e->expr());
    }
    out->body.push_back(std::move(stmt));
  }
  return out;
}

}  // namespace suture::parse
