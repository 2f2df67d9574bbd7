// transform_file.cpp — files, imports, annotations and the type-level declarations
// (const, type alias, record, enum, table, fn). A declaration with a syntax error is left out.
#include "compiler/parse/transformer.h"

namespace suture::parse {

std::unique_ptr<ast::File> Transformer::file(P::FileContext* ctx) {
  auto out = std::make_unique<ast::File>();
  out->file = file_.id();
  if (auto* module = ctx->moduleDecl(); module != nullptr) {
    if (has_syntax_error(module))
      out->has_syntax_errors = true;
    else
      out->module = qualified(module->qualifiedName());
  }
  for (auto* import_ctx : ctx->importDecl()) {
    if (has_syntax_error(import_ctx))
      out->has_syntax_errors = true;
    else
      out->imports.push_back(import(import_ctx));
  }
  for (auto* child : ctx->children)
    if (dynamic_cast<antlr4::tree::ErrorNode*>(child) != nullptr) out->has_syntax_errors = true;
  for (auto* decl_ctx : ctx->declaration()) {
    if (has_syntax_error(decl_ctx)) {
      out->has_syntax_errors = true;
      // Keep the name so later phases do not report uses of it as unknown.
      for (auto* child : decl_ctx->declarationBody()->children)
        if (auto* rule = dynamic_cast<antlr4::ParserRuleContext*>(child))
          if (auto* name_ctx = rule->getRuleContext<P::NameContext>(0); name_ctx != nullptr)
            out->broken_decl_names.push_back(name(name_ctx).text);
      continue;
    }
    if (auto decl = declaration(decl_ctx)) out->decls.push_back(std::move(decl));
  }
  return out;
}

ast::Import Transformer::import(P::ImportDeclContext* ctx) {
  ast::Import out;
  out.module = qualified(ctx->qualifiedName());
  if (ctx->name() != nullptr) out.alias = name(ctx->name());
  if (auto* list = ctx->importList()) {
    out.has_item_list = true;
    for (auto* item : list->importItem()) {
      auto names = item->name();
      ast::ImportItem entry{name(names[0]), std::nullopt};
      if (names.size() > 1) entry.alias = name(names[1]);
      out.items.push_back(std::move(entry));
    }
  }
  out.span = span(ctx);
  return out;
}

std::vector<ast::Annotation> Transformer::annotations(const std::vector<P::AnnotationContext*>& list) {
  std::vector<ast::Annotation> out;
  for (auto* a : list) {
    ast::Annotation annotation{name(a->name()), {}, span(a)};
    for (auto* lit : a->literal()) annotation.args.push_back(literal(lit));
    out.push_back(std::move(annotation));
  }
  return out;
}

ast::DeclPtr Transformer::declaration(P::DeclarationContext* ctx) {
  auto* body = ctx->declarationBody();
  ast::DeclPtr decl;
  if (auto* c = body->constDecl())
    decl = const_decl(c);
  else if (auto* c = body->typeAliasDecl())
    decl = type_alias(c);
  else if (auto* c = body->recordDecl())
    decl = record(c);
  else if (auto* c = body->enumDecl())
    decl = enumeration(c);
  else if (auto* c = body->tableDecl())
    decl = table(c);
  else if (auto* c = body->functionDecl())
    decl = function(c);
  else if (auto* c = body->mappingDecl())
    decl = mapping(c);
  else if (auto* c = body->policyDecl())
    decl = policy(c);
  else if (auto* c = body->routeDecl())
    decl = route(c);
  else if (auto* c = body->testDecl())
    decl = test(c);
  if (decl) {
    decl->annotations = annotations(ctx->annotation());
    decl->span = span(ctx);
  }
  return decl;
}

ast::DeclPtr Transformer::const_decl(P::ConstDeclContext* ctx) {
  auto out = std::make_unique<ast::ConstDecl>();
  out->name = name(ctx->name());
  if (ctx->typeExpr() != nullptr) out->type = type(ctx->typeExpr());
  out->value = expr(ctx->expr());
  return out;
}

ast::DeclPtr Transformer::type_alias(P::TypeAliasDeclContext* ctx) {
  auto out = std::make_unique<ast::TypeAliasDecl>();
  out->name = name(ctx->name());
  out->type = type(ctx->typeExpr());
  return out;
}

ast::DeclPtr Transformer::record(P::RecordDeclContext* ctx) {
  auto out = std::make_unique<ast::RecordDecl>();
  out->name = name(ctx->name());
  for (auto* f : ctx->fieldDecl()) {
    ast::FieldDecl field;
    field.annotations = annotations(f->annotation());
    field.readonly = f->READONLY() != nullptr;
    field.name = member_name(f->memberName());
    field.type = type(f->typeExpr());
    field.span = span(f);
    out->fields.push_back(std::move(field));
  }
  return out;
}

ast::DeclPtr Transformer::enumeration(P::EnumDeclContext* ctx) {
  auto out = std::make_unique<ast::EnumDecl>();
  out->name = name(ctx->name());
  if (ctx->typeExpr() != nullptr) out->base = type(ctx->typeExpr());
  for (auto* m : ctx->enumMember()) {
    ast::EnumMember member;
    member.annotations = annotations(m->annotation());
    if (m->STRING() != nullptr) {
      ast::Literal code = string_literal(m->STRING());
      member.name = {code.text, code.span};
    } else {
      member.name = member_name(m->memberName());
    }
    member.span = span(m);
    out->members.push_back(std::move(member));
  }
  return out;
}

ast::DeclPtr Transformer::table(P::TableDeclContext* ctx) {
  auto out = std::make_unique<ast::TableDecl>();
  out->name = name(ctx->name());
  out->key_type = type(ctx->typeExpr(0));
  out->value_type = type(ctx->typeExpr(1));
  for (auto* e : ctx->tableEntry()) {
    ast::TableEntry entry;
    if (auto* lit = dynamic_cast<P::LiteralTableKeyContext*>(e->tableKey())) entry.key = literal(lit->literal());
    entry.value = expr(e->expr());
    entry.span = span(e);
    out->entries.push_back(std::move(entry));
  }
  return out;
}

std::vector<ast::Param> Transformer::params(P::ParamListContext* ctx) {
  std::vector<ast::Param> out;
  if (ctx == nullptr) return out;
  for (auto* p : ctx->param()) out.push_back({name(p->name()), type(p->typeExpr())});
  return out;
}

ast::LetStmt Transformer::let(P::LetStmtContext* ctx) {
  ast::LetStmt out;
  out.name = name(ctx->name());
  if (ctx->typeExpr() != nullptr) out.type = type(ctx->typeExpr());
  out.value = expr(ctx->expr());
  out.span = span(ctx);
  return out;
}

ast::DeclPtr Transformer::function(P::FunctionDeclContext* ctx) {
  auto out = std::make_unique<ast::FunctionDecl>();
  out->name = name(ctx->name());
  out->params = params(ctx->paramList());
  out->result = type(ctx->typeExpr());
  if (auto* e = dynamic_cast<P::ExprFunctionBodyContext*>(ctx->functionBody())) {
    out->body = expr(e->expr());
  } else if (auto* b = dynamic_cast<P::BlockFunctionBodyContext*>(ctx->functionBody())) {
    for (auto* l : b->letStmt()) out->lets.push_back(let(l));
    out->body = expr(b->expr());
  }
  return out;
}

}  // namespace suture::parse
