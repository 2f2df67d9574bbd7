// names.cpp — display names of AST enums and qualified names.
#include "compiler/ast/ast.h"

namespace suture::ast {

std::string QualifiedName::joined() const {
  std::string out;
  for (const auto& part : parts) {
    if (!out.empty()) out += '.';
    out += part.text;
  }
  return out;
}

const char* to_string(BinaryOp op) {
  switch (op) {
    case BinaryOp::Add: return "+";
    case BinaryOp::Sub: return "-";
    case BinaryOp::Mul: return "*";
    case BinaryOp::Div: return "/";
    case BinaryOp::Mod: return "%";
    case BinaryOp::Concat: return "++";
    case BinaryOp::Eq: return "==";
    case BinaryOp::Ne: return "!=";
    case BinaryOp::Lt: return "<";
    case BinaryOp::Le: return "<=";
    case BinaryOp::Gt: return ">";
    case BinaryOp::Ge: return ">=";
    case BinaryOp::And: return "and";
    case BinaryOp::Or: return "or";
    case BinaryOp::Coalesce: return "??";
    case BinaryOp::In: return "in";
    case BinaryOp::NotIn: return "not in";
  }
  return "?";
}

const char* to_string(DeclKind kind) {
  switch (kind) {
    case DeclKind::Const: return "const";
    case DeclKind::TypeAlias: return "type";
    case DeclKind::Record: return "record";
    case DeclKind::Enum: return "enum";
    case DeclKind::Table: return "table";
    case DeclKind::Function: return "fn";
    case DeclKind::Mapping: return "mapping";
    case DeclKind::Policy: return "policy";
    case DeclKind::Route: return "route";
    case DeclKind::Test: return "test";
  }
  return "?";
}

const char* to_string(RuleKind kind) {
  switch (kind) {
    case RuleKind::Permit: return "permit";
    case RuleKind::Forbid: return "forbid";
    case RuleKind::Redact: return "redact";
    case RuleKind::Mask: return "mask";
    case RuleKind::Generalise: return "generalise";
    case RuleKind::Pseudonymise: return "pseudonymise";
  }
  return "?";
}

}  // namespace suture::ast
