// transformer.h — builds our AST from ANTLR's parse tree. The one header of the project that
// names ANTLR's *Context types; the work is split into transform_<construct>.cpp files.
#pragma once

#include <antlr4-runtime.h>

#include "SutureParser.h"
#include "compiler/ast/ast.h"
#include "compiler/diagnostics/diagnostic.h"
#include "compiler/source/source.h"

namespace suture::parse {

using P = grammar::SutureParser;

class Transformer {
 public:
  Transformer(const SourceFile& file, DiagnosticSink& diagnostics) : file_(file), diagnostics_(diagnostics) {}

  std::unique_ptr<ast::File> file(P::FileContext* ctx);

 private:
  // transform_file.cpp — files, imports, annotations, type-level declarations
  ast::Import import(P::ImportDeclContext* ctx);
  std::vector<ast::Annotation> annotations(const std::vector<P::AnnotationContext*>& list);
  ast::DeclPtr declaration(P::DeclarationContext* ctx);
  ast::DeclPtr const_decl(P::ConstDeclContext* ctx);
  ast::DeclPtr type_alias(P::TypeAliasDeclContext* ctx);
  ast::DeclPtr record(P::RecordDeclContext* ctx);
  ast::DeclPtr enumeration(P::EnumDeclContext* ctx);
  ast::DeclPtr table(P::TableDeclContext* ctx);
  ast::DeclPtr function(P::FunctionDeclContext* ctx);
  std::vector<ast::Param> params(P::ParamListContext* ctx);
  ast::LetStmt let(P::LetStmtContext* ctx);

  // transform_rules.cpp — mappings, policies, routes, tests
  ast::DeclPtr mapping(P::MappingDeclContext* ctx);
  ast::MappingStmtPtr mapping_stmt(P::MappingStmtContext* ctx);
  ast::DeclPtr policy(P::PolicyDeclContext* ctx);
  ast::PolicyRule policy_rule(P::PolicyRuleContext* ctx);
  ast::DeclPtr route(P::RouteDeclContext* ctx);
  ast::RouteClause route_clause(P::RouteClauseContext* ctx);
  ast::DeclPtr test(P::TestDeclContext* ctx);

  // transform_expr.cpp — expressions
  ast::ExprPtr expr(P::ExprContext* ctx);
  ast::ExprPtr postfix(P::PostfixExprContext* ctx);
  ast::ExprPtr primary(P::PrimaryContext* ctx);
  ast::ExprPtr lambda(P::LambdaContext* ctx);
  ast::ExprPtr binary(antlr4::ParserRuleContext* ctx, ast::BinaryOp op, P::ExprContext* lhs, P::ExprContext* rhs);
  std::vector<ast::Arg> args(P::ArgListContext* ctx);
  ast::ExprPtr match(P::MatchPrimaryContext* ctx);

  // transform_type.cpp — type expressions
  ast::TypeExprPtr type(P::TypeExprContext* ctx);

  // transform_literal.cpp — literals (escapes and dates are checked here), names, spans
  ast::Literal literal(P::LiteralContext* ctx);
  ast::Literal string_literal(antlr4::tree::TerminalNode* token);
  ast::Name name(P::NameContext* ctx);
  ast::Name member_name(P::MemberNameContext* ctx);
  ast::QualifiedName qualified(P::QualifiedNameContext* ctx);
  Span span(antlr4::ParserRuleContext* ctx) const;
  Span span(antlr4::Token* token) const;

  const SourceFile& file_;
  DiagnosticSink& diagnostics_;
  int expr_depth_ = 0;  // bounds recursion here and in every later phase
  bool depth_reported_ = false;
};

// Expressions nested deeper than this are refused (reported once, replaced by `null`).
inline constexpr int kMaxExprDepth = 400;

// True when the subtree holds a syntax error (a recognition exception or an error node).
bool has_syntax_error(antlr4::tree::ParseTree* tree);

}  // namespace suture::parse
