// syntax_errors.cpp — words for expected-token sets and the error strategy's reports.
#include "compiler/parse/syntax_errors.h"

#include <set>

#include "SutureLexer.h"
#include "SutureParser.h"

namespace suture::parse {

using P = grammar::SutureParser;

Span token_span(const SourceFile& file, const antlr4::Token* token) {
  if (token == nullptr || token->getType() == antlr4::Token::EOF) {
    auto end = static_cast<std::uint32_t>(file.text().size());
    return {file.id(), end, end};
  }
  std::uint32_t begin = file.byte_offset_of_codepoint(token->getStartIndex());
  std::uint32_t end = file.byte_offset_of_codepoint(token->getStopIndex() + 1);
  return {file.id(), begin, std::max(begin, end)};
}

std::string describe_token(const antlr4::Token* token) {
  if (token == nullptr || token->getType() == antlr4::Token::EOF) return "end of file";
  std::string text = token->getText();
  switch (token->getType()) {
    case P::IDENT:
    case P::BACKTICK_IDENT: return "name `" + text + "`";
    case P::STRING: return "string " + text;
    case P::INT:
    case P::DECIMAL: return "number " + text;
    default: break;
  }
  return "'" + text + "'";
}

namespace {

bool has(const antlr4::misc::IntervalSet& set, size_t token) {
  return set.contains(token);
}

// The token type of an implicit literal token such as '(' (ANTLR numbers them T__n).
size_t literal_token(const antlr4::dfa::Vocabulary& vocabulary, const std::string& quoted) {
  for (size_t t = 1; t <= vocabulary.getMaxTokenType(); ++t)
    if (vocabulary.getLiteralName(t) == quoted) return t;
  return antlr4::Token::INVALID_TYPE;
}

std::string literal_name(const antlr4::dfa::Vocabulary& vocabulary, size_t token) {
  std::string name = vocabulary.getLiteralName(token);  // "'permit'" or ""
  if (!name.empty()) return name;
  switch (token) {
    case P::IDENT: return "a name";
    case P::STRING: return "a string";
    case P::INT: return "an integer";
    case P::DECIMAL: return "a decimal";
    case P::DATE: return "a date";
    case P::DATETIME: return "a date-time";
    case P::TIME: return "a time";
    case P::DURATION: return "a duration";
    case antlr4::Token::EOF: return "end of file";
    default: return vocabulary.getDisplayName(token);
  }
}

}  // namespace

std::string describe_expected(const antlr4::misc::IntervalSet& expected, const antlr4::dfa::Vocabulary& vocabulary) {
  std::vector<std::string> words;
  std::set<size_t> covered;
  auto cover_all = [&](std::initializer_list<size_t> tokens) {
    for (size_t t : tokens) covered.insert(t);
  };
  // Soft keywords are valid names, and after a `.` or in a record every keyword is: once a
  // name is expected, the keywords that are only there as names are not listed.
  const bool name_expected = has(expected, P::IDENT);
  if (name_expected) {
    for (size_t t : {P::ON,       P::EVENT, P::PRIORITY, P::FALLBACK, P::AUTHORIZE, P::MAP,    P::DELIVER, P::TO,
                     P::ENDPOINT, P::RETRY, P::ATTEMPTS, P::THEN,     P::ORDER,     P::BY,     P::KEEP,    P::LAST,
                     P::FIRST,    P::WITH,  P::WHERE,    P::EXPECT,   P::READONLY,  P::LIST_T, P::SET_T})
      covered.insert(t);
    if (has(expected, P::MODULE) && has(expected, P::PERMIT))  // a member name: any word goes
      for (size_t t = P::MODULE; t <= P::SET_T; ++t) covered.insert(t);
  }
  const size_t open_paren = literal_token(vocabulary, "'('");
  if (name_expected && has(expected, P::STRING) && has(expected, P::INT) && has(expected, open_paren)) {
    words.push_back("an expression");
    cover_all({P::IDENT, P::BACKTICK_IDENT, P::STRING, P::INT, P::DECIMAL, P::DATE, P::DATETIME, P::TIME, P::DURATION,
               P::TRUE, P::FALSE, P::NULL_, P::NOT, P::MATCH, P::IF, P::LET});
  } else if (name_expected) {
    words.push_back("a name");
    cover_all({P::IDENT, P::BACKTICK_IDENT});
  }
  int declaration_words = 0;
  for (size_t t : {P::CONST, P::TYPE, P::RECORD, P::ENUM, P::TABLE, P::FN, P::MAPPING, P::POLICY, P::ROUTE, P::TEST})
    declaration_words += has(expected, t) ? 1 : 0;
  if (declaration_words >= 5 && !name_expected) {
    words.push_back("a declaration (const, type, record, enum, table, fn, mapping, policy, route or test)");
    cover_all({P::CONST, P::TYPE, P::RECORD, P::ENUM, P::TABLE, P::FN, P::MAPPING, P::POLICY, P::ROUTE, P::TEST});
  }
  for (const auto& interval : expected.getIntervals())
    for (ssize_t t = interval.a; t <= interval.b; ++t) {
      auto token = static_cast<size_t>(t);
      if (covered.count(token) != 0 || token == P::UNTERMINATED_STRING || token == P::UNKNOWN_CHAR) continue;
      words.push_back(literal_name(vocabulary, token));
    }
  if (words.empty()) return "something else";
  if (words.size() > 8) {  // a long list helps nobody: keep the first categories
    words.resize(7);
    words.push_back("others");
  }
  std::string out;
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (i > 0) out += i + 1 == words.size() ? " or " : ", ";
    out += words[i];
  }
  return out;
}

bool SyntaxErrorStrategy::at_declaration_start(antlr4::Parser* parser) const {
  antlr4::Token* token = parser->getCurrentToken();
  if (token == nullptr || token->getCharPositionInLine() != 0) return false;
  switch (token->getType()) {
    case P::CONST:
    case P::TYPE:
    case P::RECORD:
    case P::ENUM:
    case P::TABLE:
    case P::FN:
    case P::MAPPING:
    case P::POLICY:
    case P::ROUTE:
    case P::TEST:
    case P::IMPORT:
    case P::MODULE: return true;
    default: return token->getText() == "@";
  }
}

void SyntaxErrorStrategy::recover(antlr4::Parser* parser, std::exception_ptr e) {
  if (at_declaration_start(parser)) return;  // let the enclosing rules unwind to the file level
  antlr4::DefaultErrorStrategy::recover(parser, e);
}

void SyntaxErrorStrategy::sync(antlr4::Parser* parser) {
  // Never delete a declaration keyword as "extraneous": the rule fails and unwinds instead.
  if (at_declaration_start(parser) && parser->getContext() != nullptr &&
      dynamic_cast<P::FileContext*>(parser->getContext()) == nullptr)
    return;
  antlr4::DefaultErrorStrategy::sync(parser);
}

antlr4::Token* SyntaxErrorStrategy::recoverInline(antlr4::Parser* parser) {
  if (at_declaration_start(parser)) {
    // Report once and unwind; conjuring tokens here would only produce more errors.
    if (!inErrorRecoveryMode(parser)) reportMissingToken(parser);
    throw antlr4::InputMismatchException(parser);
  }
  return antlr4::DefaultErrorStrategy::recoverInline(parser);
}

void SyntaxErrorStrategy::report(antlr4::Parser* parser, antlr4::Token* at, const std::string& message,
                                 const antlr4::misc::IntervalSet& expected) {
  beginErrorCondition(parser);
  // An invalid character was already reported (S1002) and dropped; the parse error that it
  // leaves right after it is the same mistake.
  if (auto* stream = dynamic_cast<antlr4::BufferedTokenStream*>(parser->getTokenStream());
      stream && at != nullptr && at->getTokenIndex() != INVALID_INDEX)
    for (antlr4::Token* hidden : stream->getHiddenTokensToLeft(at->getTokenIndex()))
      if (hidden->getType() == P::UNKNOWN_CHAR) return;
  // One error per declaration: later ones in the same declaration are almost always echoes.
  for (antlr4::ParserRuleContext* ctx = parser->getContext(); ctx != nullptr;
       ctx = dynamic_cast<antlr4::ParserRuleContext*>(ctx->parent)) {
    if (dynamic_cast<P::DeclarationContext*>(ctx) == nullptr) continue;
    auto start = static_cast<std::ptrdiff_t>(ctx->getStart()->getTokenIndex());
    if (start == last_error_declaration_) return;
    last_error_declaration_ = start;
    break;
  }
  Span span = token_span(file_, at);
  // A second `module` line at the top level of a file that already declared its module.
  if (at != nullptr && at->getType() == literal_token(parser->getVocabulary(), "'module'"))
    if (auto* file = dynamic_cast<P::FileContext*>(parser->getContext());
        file != nullptr && file->moduleDecl() != nullptr) {
      diagnostics_.report(DiagCode::S1007, span, "a file declares its module once")
          .label(token_span(file_, file->moduleDecl()->getStart()), "module declared here")
          .label(span, "second module declaration")
          .help("put each module in its own file");
      return;
    }
  auto builder = diagnostics_.report(DiagCode::S1001, span, message);
  builder.label(span, "expected " + describe_expected(expected, parser->getVocabulary()) + " here");
  const size_t assign = literal_token(parser->getVocabulary(), "'='");
  const size_t equals = literal_token(parser->getVocabulary(), "'=='");
  bool in_expression = false;
  for (antlr4::tree::ParseTree* ctx = parser->getContext(); ctx != nullptr; ctx = ctx->parent)
    if (dynamic_cast<P::ExprContext*>(ctx) != nullptr || dynamic_cast<P::ConditionContext*>(ctx) != nullptr)
      in_expression = true;
  if (at != nullptr && at->getType() == assign && (expected.contains(equals) || in_expression))
    builder.help("to compare two values write `==`");
}

void SyntaxErrorStrategy::reportNoViableAlternative(antlr4::Parser* parser, const antlr4::NoViableAltException& e) {
  antlr4::Token* at = e.getOffendingToken();
  auto expected = e.getExpectedTokens();
  report(parser, at,
         "unexpected " + describe_token(at) + "; expected " + describe_expected(expected, parser->getVocabulary()),
         expected);
}

void SyntaxErrorStrategy::reportInputMismatch(antlr4::Parser* parser, const antlr4::InputMismatchException& e) {
  antlr4::Token* at = e.getOffendingToken();
  auto expected = e.getExpectedTokens();
  report(parser, at,
         "expected " + describe_expected(expected, parser->getVocabulary()) + ", found " + describe_token(at),
         expected);
}

void SyntaxErrorStrategy::reportFailedPredicate(antlr4::Parser* parser, const antlr4::FailedPredicateException& e) {
  antlr4::Token* at = e.getOffendingToken();
  report(parser, at, "unexpected " + describe_token(at), antlr4::misc::IntervalSet());
}

void SyntaxErrorStrategy::reportUnwantedToken(antlr4::Parser* parser) {
  if (inErrorRecoveryMode(parser)) return;
  antlr4::Token* at = parser->getCurrentToken();
  auto expected = getExpectedTokens(parser);
  report(parser, at,
         "unexpected " + describe_token(at) + "; expected " + describe_expected(expected, parser->getVocabulary()),
         expected);
}

void SyntaxErrorStrategy::reportMissingToken(antlr4::Parser* parser) {
  if (inErrorRecoveryMode(parser)) return;
  antlr4::Token* at = parser->getCurrentToken();
  auto expected = getExpectedTokens(parser);
  report(parser, at,
         "missing " + describe_expected(expected, parser->getVocabulary()) + " before " + describe_token(at), expected);
}

}  // namespace suture::parse
