// equality.cpp — structural equality over the span-free printed form. The printer renders
// every field except spans, so two trees are equal exactly when their prints are.
#include "compiler/ast/equality.h"

#include "compiler/ast/printer.h"

namespace suture::ast {

bool equal(const Expr& a, const Expr& b) {
  return print(a) == print(b);
}
bool equal(const TypeExpr& a, const TypeExpr& b) {
  return print(a) == print(b);
}
bool equal(const File& a, const File& b) {
  return print(a) == print(b);
}

}  // namespace suture::ast
