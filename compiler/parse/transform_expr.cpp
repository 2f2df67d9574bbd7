// transform_expr.cpp — expressions: operators, postfix chains, literals of collections and
// records, lambdas, if / let / match.
#include "compiler/parse/transformer.h"

namespace suture::parse {
namespace {

ast::BinaryOp binary_op(const std::string& text) {
  static const std::pair<const char*, ast::BinaryOp> ops[] = {
      {"+", ast::BinaryOp::Add},   {"-", ast::BinaryOp::Sub}, {"*", ast::BinaryOp::Mul},
      {"/", ast::BinaryOp::Div},   {"%", ast::BinaryOp::Mod}, {"++", ast::BinaryOp::Concat},
      {"==", ast::BinaryOp::Eq},   {"!=", ast::BinaryOp::Ne}, {"<", ast::BinaryOp::Lt},
      {"<=", ast::BinaryOp::Le},   {">", ast::BinaryOp::Gt},  {">=", ast::BinaryOp::Ge},
      {"and", ast::BinaryOp::And}, {"or", ast::BinaryOp::Or}, {"??", ast::BinaryOp::Coalesce}};
  for (const auto& [spelling, op] : ops)
    if (text == spelling) return op;
  return ast::BinaryOp::Add;
}

}  // namespace

ast::ExprPtr Transformer::binary(antlr4::ParserRuleContext* ctx, ast::BinaryOp op, P::ExprContext* lhs,
                                 P::ExprContext* rhs) {
  auto out = std::make_unique<ast::Expr>(ast::ExprKind::Binary, span(ctx));
  out->binary_op = op;
  out->lhs = expr(lhs);
  out->rhs = expr(rhs);
  return out;
}

ast::ExprPtr Transformer::expr(P::ExprContext* ctx) {
  struct DepthGuard {
    int& depth;
    explicit DepthGuard(int& d) : depth(++d) {}
    ~DepthGuard() { --depth; }
  } guard(expr_depth_);
  if (expr_depth_ > kMaxExprDepth) {
    if (!depth_reported_) {
      depth_reported_ = true;
      diagnostics_
          .report(DiagCode::S1001, span(ctx),
                  "expression is nested more than " + std::to_string(kMaxExprDepth) + " levels deep")
          .help("split it with `let` bindings or functions");
    }
    return std::make_unique<ast::Expr>(ast::ExprKind::Literal, span(ctx));
  }
  if (auto* p = dynamic_cast<P::PostfixContext*>(ctx)) return postfix(p->postfixExpr());
  if (auto* c = dynamic_cast<P::CastExprContext*>(ctx)) {
    auto out = std::make_unique<ast::Expr>(ast::ExprKind::Cast, span(ctx));
    out->lhs = expr(c->expr());
    out->let_type = type(c->typeExpr());
    return out;
  }
  if (auto* n = dynamic_cast<P::NegateExprContext*>(ctx)) {
    auto out = std::make_unique<ast::Expr>(ast::ExprKind::Unary, span(ctx));
    out->unary_op = ast::UnaryOp::Negate;
    out->lhs = expr(n->expr());
    return out;
  }
  if (auto* n = dynamic_cast<P::NotExprContext*>(ctx)) {
    auto out = std::make_unique<ast::Expr>(ast::ExprKind::Unary, span(ctx));
    out->unary_op = ast::UnaryOp::Not;
    out->lhs = expr(n->expr());
    return out;
  }
  if (auto* b = dynamic_cast<P::MulExprContext*>(ctx))
    return binary(ctx, binary_op(b->op->getText()), b->expr(0), b->expr(1));
  if (auto* b = dynamic_cast<P::AddExprContext*>(ctx))
    return binary(ctx, binary_op(b->op->getText()), b->expr(0), b->expr(1));
  if (auto* b = dynamic_cast<P::CoalesceExprContext*>(ctx))
    return binary(ctx, ast::BinaryOp::Coalesce, b->expr(0), b->expr(1));
  if (auto* b = dynamic_cast<P::CompareExprContext*>(ctx))
    return binary(ctx, binary_op(b->op->getText()), b->expr(0), b->expr(1));
  if (auto* b = dynamic_cast<P::InExprContext*>(ctx))
    return binary(ctx, b->NOT() != nullptr ? ast::BinaryOp::NotIn : ast::BinaryOp::In, b->expr(0), b->expr(1));
  if (auto* b = dynamic_cast<P::AndExprContext*>(ctx)) return binary(ctx, ast::BinaryOp::And, b->expr(0), b->expr(1));
  if (auto* b = dynamic_cast<P::OrExprContext*>(ctx)) return binary(ctx, ast::BinaryOp::Or, b->expr(0), b->expr(1));
  if (auto* i = dynamic_cast<P::IfExprContext*>(ctx)) {
    auto out = std::make_unique<ast::Expr>(ast::ExprKind::If, span(ctx));
    out->cond = expr(i->expr(0));
    out->then_branch = expr(i->expr(1));
    out->else_branch = expr(i->expr(2));
    return out;
  }
  if (auto* l = dynamic_cast<P::LetExprContext*>(ctx)) {
    auto out = std::make_unique<ast::Expr>(ast::ExprKind::Let, span(ctx));
    out->name = name(l->name());
    if (l->typeExpr() != nullptr) out->let_type = type(l->typeExpr());
    out->cond = expr(l->expr(0));
    out->then_branch = expr(l->expr(1));
    return out;
  }
  auto* l = dynamic_cast<P::LambdaExprContext*>(ctx);
  return lambda(l->lambda());
}

ast::ExprPtr Transformer::lambda(P::LambdaContext* ctx) {
  auto out = std::make_unique<ast::Expr>(ast::ExprKind::Lambda, span(ctx));
  for (auto* n : ctx->name()) out->params.push_back(name(n));
  out->body = expr(ctx->expr());
  return out;
}

std::vector<ast::Arg> Transformer::args(P::ArgListContext* ctx) {
  std::vector<ast::Arg> out;
  if (ctx == nullptr) return out;
  for (auto* a : ctx->arg()) {
    ast::Arg arg;
    if (a->memberName() != nullptr) arg.name = member_name(a->memberName());
    arg.value = expr(a->expr());
    out.push_back(std::move(arg));
  }
  return out;
}

ast::ExprPtr Transformer::postfix(P::PostfixExprContext* ctx) {
  if (auto* p = dynamic_cast<P::PrimaryPostfixContext*>(ctx)) return primary(p->primary());
  if (auto* m = dynamic_cast<P::MemberPostfixContext*>(ctx)) {
    auto out = std::make_unique<ast::Expr>(ast::ExprKind::Member, span(ctx));
    out->lhs = postfix(m->postfixExpr());
    out->name = member_name(m->memberName());
    out->optional_chain = m->op->getText() == "?.";
    return out;
  }
  if (auto* m = dynamic_cast<P::MethodPostfixContext*>(ctx)) {
    auto out = std::make_unique<ast::Expr>(ast::ExprKind::MethodCall, span(ctx));
    out->lhs = postfix(m->postfixExpr());
    out->name = member_name(m->memberName());
    out->optional_chain = m->op->getText() == "?.";
    out->args = args(m->argList());
    return out;
  }
  if (auto* i = dynamic_cast<P::IndexPostfixContext*>(ctx)) {
    auto out = std::make_unique<ast::Expr>(ast::ExprKind::Index, span(ctx));
    out->lhs = postfix(i->postfixExpr());
    out->rhs = expr(i->expr());
    return out;
  }
  auto* c = dynamic_cast<P::CallPostfixContext*>(ctx);
  auto out = std::make_unique<ast::Expr>(ast::ExprKind::Call, span(ctx));
  out->callee = postfix(c->postfixExpr());
  out->args = args(c->argList());
  return out;
}

ast::ExprPtr Transformer::primary(P::PrimaryContext* ctx) {
  if (auto* l = dynamic_cast<P::LiteralPrimaryContext*>(ctx)) {
    auto out = std::make_unique<ast::Expr>(ast::ExprKind::Literal, span(ctx));
    out->literal = literal(l->literal());
    return out;
  }
  if (auto* n = dynamic_cast<P::NamePrimaryContext*>(ctx)) {
    auto out = std::make_unique<ast::Expr>(ast::ExprKind::Name, span(ctx));
    out->name = name(n->name());
    return out;
  }
  if (auto* p = dynamic_cast<P::ParenPrimaryContext*>(ctx)) {
    auto inner = expr(p->expr());
    inner->span = span(ctx);  // the parentheses belong to the expression's extent
    return inner;
  }
  if (auto* l = dynamic_cast<P::ListPrimaryContext*>(ctx)) {
    auto out = std::make_unique<ast::Expr>(ast::ExprKind::List, span(ctx));
    for (auto* e : l->expr()) out->elements.push_back(expr(e));
    return out;
  }
  if (dynamic_cast<P::EmptyBracePrimaryContext*>(ctx) != nullptr)
    return std::make_unique<ast::Expr>(ast::ExprKind::Set, span(ctx));  // `{}`: an empty set
  if (auto* r = dynamic_cast<P::RecordPrimaryContext*>(ctx)) {
    auto out = std::make_unique<ast::Expr>(ast::ExprKind::Record, span(ctx));
    for (auto* e : r->recordEntry()) out->record_entries.push_back({member_name(e->memberName()), expr(e->expr())});
    return out;
  }
  if (auto* s = dynamic_cast<P::SetPrimaryContext*>(ctx)) {
    auto out = std::make_unique<ast::Expr>(ast::ExprKind::Set, span(ctx));
    for (auto* e : s->expr()) out->elements.push_back(expr(e));
    return out;
  }
  if (auto* m = dynamic_cast<P::MapPrimaryContext*>(ctx)) {
    auto out = std::make_unique<ast::Expr>(ast::ExprKind::Map, span(ctx));
    for (auto* e : m->mapEntry()) out->map_entries.push_back({expr(e->expr(0)), expr(e->expr(1))});
    return out;
  }
  return match(dynamic_cast<P::MatchPrimaryContext*>(ctx));
}

ast::ExprPtr Transformer::match(P::MatchPrimaryContext* ctx) {
  auto out = std::make_unique<ast::Expr>(ast::ExprKind::Match, span(ctx));
  if (ctx->expr() != nullptr) out->subject = expr(ctx->expr());
  for (auto* a : ctx->matchArm()) {
    ast::MatchArm arm;
    for (auto* p : a->pattern()) {
      if (auto* e = dynamic_cast<P::ExprPatternContext*>(p))
        arm.patterns.push_back(expr(e->expr()));
      else
        arm.wildcard = true;
    }
    arm.value = expr(a->expr());
    arm.span = span(a);
    out->arms.push_back(std::move(arm));
  }
  return out;
}

}  // namespace suture::parse
