// narrowing.cpp — what a condition proves: after `x != null` (or `x.f != null and …`) the
// path is known not to be null, in the branch where the condition holds.
#include <algorithm>

#include "compiler/sema/checker.h"

namespace suture::sema {

using ast::BinaryOp;
using ast::ExprKind;

std::optional<std::string> Checker::path_of(const ast::Expr& expr) const {
  if (expr.kind == ExprKind::Name) return expr.name.text;
  if (expr.kind == ExprKind::Member && !expr.optional_chain)
    if (auto base = path_of(*expr.lhs)) return *base + "." + expr.name.text;
  return std::nullopt;
}

std::vector<std::string> Checker::facts(const ast::Expr& cond, bool when_true) const {
  std::vector<std::string> out;
  if (cond.kind == ExprKind::Unary && cond.unary_op == ast::UnaryOp::Not) return facts(*cond.lhs, !when_true);
  if (cond.kind != ExprKind::Binary) return out;
  BinaryOp op = cond.binary_op;
  if (op == BinaryOp::Eq || op == BinaryOp::Ne) {
    // `x != null` proves x when true; `x == null` proves x when false. Comparing with any
    // non-null literal (`x == "a"`) also proves x when true.
    bool lhs_null = cond.lhs->kind == ExprKind::Literal && cond.lhs->literal.kind == ast::LiteralKind::Null;
    bool rhs_null = cond.rhs->kind == ExprKind::Literal && cond.rhs->literal.kind == ast::LiteralKind::Null;
    const ast::Expr& other = lhs_null ? *cond.rhs : *cond.lhs;
    if (lhs_null || rhs_null) {
      if ((op == BinaryOp::Ne) == when_true)
        if (auto p = path_of(other)) out.push_back(*p);
      return out;
    }
    if (op == BinaryOp::Eq && when_true) {
      if (cond.rhs->kind == ExprKind::Literal)
        if (auto p = path_of(*cond.lhs)) out.push_back(*p);
      if (cond.lhs->kind == ExprKind::Literal)
        if (auto p = path_of(*cond.rhs)) out.push_back(*p);
    }
    return out;
  }
  if ((op == BinaryOp::And && when_true) || (op == BinaryOp::Or && !when_true)) {
    out = facts(*cond.lhs, when_true);
    auto more = facts(*cond.rhs, when_true);
    out.insert(out.end(), more.begin(), more.end());
  }
  return out;
}

bool Checker::known_non_null(const Env& env, const ast::Expr& expr) const {
  auto p = path_of(expr);
  return p && std::find(env.non_null.begin(), env.non_null.end(), *p) != env.non_null.end();
}

}  // namespace suture::sema
