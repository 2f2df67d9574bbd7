// syntax_errors.h — turns ANTLR's recognition errors into S1001 diagnostics that say what was
// expected in words ("expected an expression, found '}'"). Reports each error once.
#pragma once

#include <antlr4-runtime.h>

#include "compiler/diagnostics/diagnostic.h"
#include "compiler/source/source.h"

namespace suture::parse {

class SyntaxErrorStrategy : public antlr4::DefaultErrorStrategy {
 public:
  SyntaxErrorStrategy(const SourceFile& file, DiagnosticSink& diagnostics) : file_(file), diagnostics_(diagnostics) {}

 public:
  // A declaration keyword at the start of a line ends whatever was being parsed: recovery
  // stops there instead of swallowing the next declaration, and at most one error is
  // reported per declaration.
  void recover(antlr4::Parser* parser, std::exception_ptr e) override;
  antlr4::Token* recoverInline(antlr4::Parser* parser) override;
  void sync(antlr4::Parser* parser) override;

 protected:
  void reportNoViableAlternative(antlr4::Parser* parser, const antlr4::NoViableAltException& e) override;
  void reportInputMismatch(antlr4::Parser* parser, const antlr4::InputMismatchException& e) override;
  void reportFailedPredicate(antlr4::Parser* parser, const antlr4::FailedPredicateException& e) override;
  void reportUnwantedToken(antlr4::Parser* parser) override;
  void reportMissingToken(antlr4::Parser* parser) override;

 private:
  void report(antlr4::Parser* parser, antlr4::Token* at, const std::string& message,
              const antlr4::misc::IntervalSet& expected);
  bool at_declaration_start(antlr4::Parser* parser) const;
  const SourceFile& file_;
  DiagnosticSink& diagnostics_;
  std::ptrdiff_t last_error_declaration_ = -1;  // start token index of the declaration last reported in
};

// Span of a token in byte offsets (an EOF token gets an empty span at the end of the file).
Span token_span(const SourceFile& file, const antlr4::Token* token);
// "'}'", "the name `foo`", "end of file" — how a found token is named in messages.
std::string describe_token(const antlr4::Token* token);
// "an expression, ')' or ','": the expected set in words, collapsed into categories.
std::string describe_expected(const antlr4::misc::IntervalSet& expected, const antlr4::dfa::Vocabulary& vocabulary);

}  // namespace suture::parse
