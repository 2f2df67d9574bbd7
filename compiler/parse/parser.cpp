// parser.cpp — drives ANTLR over one file: lexes, reports bad characters and unterminated
// strings, parses (fast SLL first, full LL with error recovery only when SLL fails), and
// hands the tree to the Transformer.
#include "compiler/parse/parser.h"

#include <cctype>

#include <antlr4-runtime.h>

#include "SutureLexer.h"
#include "SutureParser.h"
#include "compiler/parse/syntax_errors.h"
#include "compiler/parse/transformer.h"

namespace suture::parse {
namespace {

// Deeper bracket nesting than this is refused before parsing: the parser and every later
// phase recurse over the tree, and no real spec comes near it.
constexpr int kMaxBracketDepth = 256;

// Returns the byte offset of the first byte that is not valid UTF-8, or npos.
std::size_t first_invalid_utf8(const std::string& text) {
  std::size_t i = 0;
  while (i < text.size()) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t length = 0;
    std::uint32_t cp = 0;
    if (c >= 0xC2 && c <= 0xDF)
      length = 2, cp = c & 0x1F;
    else if (c >= 0xE0 && c <= 0xEF)
      length = 3, cp = c & 0x0F;
    else if (c >= 0xF0 && c <= 0xF4)
      length = 4, cp = c & 0x07;
    else
      return i;
    if (i + length > text.size()) return i;
    for (std::size_t k = 1; k < length; ++k) {
      auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (next & 0x3F);
    }
    if ((length == 3 && cp < 0x800) || (length == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF))
      return i;
    i += length;
  }
  return std::string::npos;
}

void check_tokens(const SourceFile& file, antlr4::CommonTokenStream& tokens, const antlr4::dfa::Vocabulary& vocabulary,
                  DiagnosticSink& diagnostics, bool& too_deep) {
  int depth = 0;
  std::vector<std::string> parens;
  std::vector<int> lets;  // per open bracket: `let`s whose `=` has not been seen yet
  size_t equals_type = antlr4::Token::INVALID_TYPE;
  for (size_t t = 1; t <= vocabulary.getMaxTokenType(); ++t)
    if (vocabulary.getLiteralName(t) == "'=='") equals_type = t;
  for (antlr4::Token* token : tokens.getTokens()) {
    auto* writable = dynamic_cast<antlr4::CommonToken*>(token);
    Span at = token_span(file, token);
    if (token->getType() == grammar::SutureLexer::UNKNOWN_CHAR) {
      std::string text = token->getText();
      diagnostics.report(DiagCode::S1002, at, "invalid character `" + text + "`")
          .label(at, "not part of the language")
          .help(text == "'" ? "strings are written in double quotes" : "remove it, or put it inside a string");
      if (writable != nullptr) writable->setChannel(antlr4::Token::HIDDEN_CHANNEL);
    } else if (token->getType() == grammar::SutureLexer::UNTERMINATED_STRING) {
      diagnostics.report(DiagCode::S1003, at, "string is not closed before the end of the line")
          .label(at, "this string has no closing quote")
          .help("add a closing `\"`; a string cannot span lines (write \\n for a newline)");
      if (writable != nullptr) writable->setType(grammar::SutureLexer::STRING);
    } else {
      std::string text = token->getText();
      // A declaration keyword at the start of a line begins a new declaration: brackets left
      // open before it belong to a broken declaration and must not mislead what follows.
      if (token->getCharPositionInLine() == 0 && std::isalpha(static_cast<unsigned char>(text[0]))) {
        depth = 0;
        parens.clear();
        lets.clear();
      }
      if (text == "let" && !lets.empty()) ++lets.back();
      bool let_binding = text == "=" && !lets.empty() && lets.back() > 0;
      if (let_binding) --lets.back();  // `(let x = …)` binds; it is not a comparison
      // A declaration's own `=` (after `-> T`, `: T`, `fn`, `const`) is not a comparison, even
      // inside brackets left open by a broken line: look back a few tokens for those.
      bool declares = false;
      if (text == "=")
        for (std::size_t back = 1; back <= 6 && back <= token->getTokenIndex(); ++back) {
          std::string before = tokens.get(token->getTokenIndex() - back)->getText();
          if (before == "->" || before == "fn" || before == "const" || before == "type" || before == "let")
            declares = true;
          if (declares || before == "(" || before == "[" || before == "," || before == "=>") break;
        }
      if (text == "=" && !let_binding && !declares && depth > 0 && !parens.empty() && parens.back() != "{") {
        // `=` is never valid inside ( ) or [ ]: it is a comparison written with one `=`.
        // Report it and read it as `==`, so the rest of the file is checked as meant.
        diagnostics.report(DiagCode::S1001, at, "`=` assigns; to compare two values write `==`")
            .label(at, "a single `=` inside parentheses")
            .help("write `==`");
        if (writable != nullptr) {
          writable->setType(equals_type);
          writable->setText("==");
        }
      }
      if (text == "(" || text == "[" || text == "{") {
        parens.push_back(text);
        lets.push_back(0);
        if (++depth == kMaxBracketDepth + 1 && !too_deep) {
          too_deep = true;
          diagnostics
              .report(DiagCode::S1001, at,
                      "brackets are nested more than " + std::to_string(kMaxBracketDepth) + " levels deep")
              .label(at, "too deep")
              .help("split the expression with `let` bindings or functions");
        }
      } else if (text == ")" || text == "]" || text == "}") {
        depth = std::max(0, depth - 1);
        if (!parens.empty()) parens.pop_back();
        if (!lets.empty()) lets.pop_back();
      }
    }
  }
}

}  // namespace

std::unique_ptr<ast::File> parse_file_uncapped(const SourceFile& file, DiagnosticSink& diagnostics);

// More syntax errors than this in one file are almost always echoes of the first ones.
constexpr std::size_t kMaxSyntaxErrorsPerFile = 25;

std::unique_ptr<ast::File> parse_file(const SourceFile& file, DiagnosticSink& diagnostics) {
  const std::size_t first = diagnostics.size();
  auto tree = parse_file_uncapped(file, diagnostics);
  if (diagnostics.size() - first > kMaxSyntaxErrorsPerFile) {
    diagnostics.keep_first(first + kMaxSyntaxErrorsPerFile);
    diagnostics
        .report(DiagCode::S1001,
                Span{file.id(), static_cast<std::uint32_t>(file.text().size()),
                     static_cast<std::uint32_t>(file.text().size())},
                "too many syntax errors in this file; the rest are not reported")
        .help("fix the first errors and check again");
  }
  return tree;
}

std::unique_ptr<ast::File> parse_file_uncapped(const SourceFile& file, DiagnosticSink& diagnostics) {
  if (std::size_t bad = first_invalid_utf8(file.text()); bad != std::string::npos) {
    Span at{file.id(), static_cast<std::uint32_t>(bad), static_cast<std::uint32_t>(bad + 1)};
    diagnostics.report(DiagCode::S1002, at, "the file is not valid UTF-8").label(at, "invalid byte");
    auto empty = std::make_unique<ast::File>();
    empty->file = file.id();
    return empty;
  }
  antlr4::ANTLRInputStream input(file.text());
  grammar::SutureLexer lexer(&input);
  lexer.removeErrorListeners();
  antlr4::CommonTokenStream tokens(&lexer);
  tokens.fill();
  bool too_deep = false;
  check_tokens(file, tokens, lexer.getVocabulary(), diagnostics, too_deep);
  if (too_deep) {
    auto empty = std::make_unique<ast::File>();
    empty->file = file.id();
    return empty;
  }

  grammar::SutureParser parser(&tokens);
  parser.removeErrorListeners();
  auto* interpreter = parser.getInterpreter<antlr4::atn::ParserATNSimulator>();
  // Stage 1: SLL prediction, bail out at the first error. Almost every file parses here.
  interpreter->setPredictionMode(antlr4::atn::PredictionMode::SLL);
  parser.setErrorHandler(std::make_shared<antlr4::BailErrorStrategy>());
  grammar::SutureParser::FileContext* tree = nullptr;
  try {
    tree = parser.file();
  } catch (const antlr4::ParseCancellationException&) {
    tree = nullptr;
  }
  if (tree == nullptr) {
    // Stage 2: full LL with recovery, reporting every error once.
    tokens.seek(0);
    parser.reset();
    interpreter->setPredictionMode(antlr4::atn::PredictionMode::LL);
    parser.setErrorHandler(std::make_shared<SyntaxErrorStrategy>(file, diagnostics));
    tree = parser.file();
  }
  Transformer transformer(file, diagnostics);
  return transformer.file(tree);
}

}  // namespace suture::parse
