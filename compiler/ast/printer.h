// printer.h — prints AST nodes as compact S-expressions, for `suture parse --ast` and tests.
#pragma once

#include <string>

#include "compiler/ast/ast.h"

namespace suture::ast {

std::string print(const Expr& expr);
std::string print(const TypeExpr& type);
std::string print(const File& file);

}  // namespace suture::ast
