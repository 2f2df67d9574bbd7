// parser.h — the parse phase's whole interface: Suture text in, AST and diagnostics out.
// Pipeline position: first phase of the compiler. Nothing outside compiler/parse sees ANTLR.
#pragma once

#include <memory>

#include "compiler/ast/ast.h"
#include "compiler/diagnostics/diagnostic.h"
#include "compiler/source/source.h"

namespace suture::parse {

// Never returns null: declarations with syntax errors are left out of the tree (their names
// are kept in File::broken_decl_names) and every error is reported into `diagnostics`.
std::unique_ptr<ast::File> parse_file(const SourceFile& file, DiagnosticSink& diagnostics);

}  // namespace suture::parse
