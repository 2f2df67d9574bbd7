// transform_type.cpp — type expressions: named (with generic arguments), T?, T!, list, set,
// map and anonymous record types.
#include "compiler/parse/transformer.h"

namespace suture::parse {

ast::TypeExprPtr Transformer::type(P::TypeExprContext* ctx) {
  auto out = std::make_unique<ast::TypeExpr>();
  out->span = span(ctx);
  if (auto* o = dynamic_cast<P::OptionalTypeContext*>(ctx)) {
    out->kind = ast::TypeExprKind::Optional;
    out->args.push_back(type(o->typeExpr()));
  } else if (auto* f = dynamic_cast<P::FallibleTypeContext*>(ctx)) {
    out->kind = ast::TypeExprKind::Fallible;
    out->args.push_back(type(f->typeExpr()));
  } else if (auto* l = dynamic_cast<P::ListTypeContext*>(ctx)) {
    out->kind = ast::TypeExprKind::List;
    out->args.push_back(type(l->typeExpr()));
  } else if (auto* s = dynamic_cast<P::SetTypeContext*>(ctx)) {
    out->kind = ast::TypeExprKind::Set;
    out->args.push_back(type(s->typeExpr()));
  } else if (auto* m = dynamic_cast<P::MapTypeContext*>(ctx)) {
    out->kind = ast::TypeExprKind::Map;
    out->args.push_back(type(m->typeExpr(0)));
    out->args.push_back(type(m->typeExpr(1)));
  } else if (auto* r = dynamic_cast<P::RecordTypeContext*>(ctx)) {
    out->kind = ast::TypeExprKind::Record;
    for (auto* field : r->recordTypeField())
      out->fields.push_back({member_name(field->memberName()), type(field->typeExpr())});
  } else if (auto* n = dynamic_cast<P::NamedTypeContext*>(ctx)) {
    out->kind = ast::TypeExprKind::Named;
    out->name = qualified(n->qualifiedName());
    for (auto* arg : n->typeExpr()) out->args.push_back(type(arg));
  }
  return out;
}

}  // namespace suture::parse
