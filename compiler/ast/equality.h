// equality.h — structural equality of AST nodes. Spans never take part: the same text with
// other layout or in another file gives equal trees.
#pragma once

#include "compiler/ast/ast.h"

namespace suture::ast {

bool equal(const Expr& a, const Expr& b);
bool equal(const TypeExpr& a, const TypeExpr& b);
bool equal(const File& a, const File& b);

}  // namespace suture::ast
