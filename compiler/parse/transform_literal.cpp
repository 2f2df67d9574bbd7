// transform_literal.cpp — literals, names and spans. String escapes, integer ranges and
// calendar dates are validated here so each error points at its own characters.
#include <charconv>
#include <cstdint>

#include "compiler/parse/syntax_errors.h"
#include "compiler/parse/transformer.h"

namespace suture::parse {

Span Transformer::span(antlr4::ParserRuleContext* ctx) const {
  Span start = token_span(file_, ctx->getStart());
  antlr4::Token* stop = ctx->getStop();
  if (stop == nullptr || stop->getTokenIndex() < ctx->getStart()->getTokenIndex())
    return {file_.id(), start.begin, start.begin};
  Span end = token_span(file_, stop);
  return {file_.id(), start.begin, std::max(start.begin, end.end)};
}

Span Transformer::span(antlr4::Token* token) const {
  return token_span(file_, token);
}

ast::Name Transformer::name(P::NameContext* ctx) {
  std::string text = ctx->getText();
  if (ctx->BACKTICK_IDENT() != nullptr) text = text.substr(1, text.size() - 2);
  return {text, span(ctx)};
}

ast::Name Transformer::member_name(P::MemberNameContext* ctx) {
  if (ctx->name() != nullptr) return name(ctx->name());
  return {ctx->getText(), span(ctx)};
}

ast::QualifiedName Transformer::qualified(P::QualifiedNameContext* ctx) {
  ast::QualifiedName out;
  for (auto* part : ctx->name()) out.parts.push_back(name(part));
  out.span = span(ctx);
  return out;
}

namespace {

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

int two_digits(const std::string& s, std::size_t at) {
  return (s[at] - '0') * 10 + (s[at + 1] - '0');
}

bool leap(int year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

// Checks the fields of "YYYY[-MM[-DD]][THH[:MM[:SS[.f]]][TZ]]" (time part alone for TIME).
std::string date_problem(const std::string& text, bool time_only) {
  std::size_t t = text.find('T');
  if (!time_only) {
    int year = std::stoi(text.substr(0, 4));
    if (text.size() >= 7 && text[4] == '-') {
      int month = two_digits(text, 5);
      if (month < 1 || month > 12) return "month " + std::to_string(month) + " does not exist";
      if (text.size() >= 10 && text[7] == '-') {
        static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
        int day = two_digits(text, 8);
        int max_day = days[month - 1] + (month == 2 && leap(year) ? 1 : 0);
        if (day < 1 || day > max_day)
          return "day " + std::to_string(day) + " does not exist in month " + std::to_string(month) + " of " +
                 std::to_string(year);
      }
    }
    if (t == std::string::npos) return "";
  }
  std::size_t at = time_only ? 1 : t + 1;
  if (two_digits(text, at) > 23) return "hour " + std::to_string(two_digits(text, at)) + " does not exist";
  if (text.size() >= at + 5 && text[at + 2] == ':' && two_digits(text, at + 3) > 59) return "minutes must be below 60";
  if (text.size() >= at + 8 && text[at + 5] == ':' && two_digits(text, at + 6) > 59) return "seconds must be below 60";
  std::size_t zone = text.find_first_of("+-", at);
  if (zone != std::string::npos && text.size() >= zone + 6) {
    if (two_digits(text, zone + 1) > 14 || two_digits(text, zone + 4) > 59)
      return "the time-zone offset is out of range";
  }
  return "";
}

}  // namespace

ast::Literal Transformer::string_literal(antlr4::tree::TerminalNode* token) {
  Span whole = span(token->getSymbol());
  const std::string raw = token->getText();
  // An unterminated string (retyped to STRING by the parser driver) has no closing quote:
  // the last '"' closes only when an even number of backslashes precede it.
  bool closed = false;
  if (raw.size() >= 2 && raw.back() == '"') {
    std::size_t slashes = 0;
    for (std::size_t k = raw.size() - 1; k > 1 && raw[k - 1] == '\\'; --k) ++slashes;
    closed = slashes % 2 == 0;
  }
  std::size_t end = closed ? raw.size() - 1 : raw.size();
  std::string out;
  for (std::size_t i = 1; i < end; ++i) {
    char c = raw[i];
    if (c != '\\') {
      out += c;
      continue;
    }
    std::size_t start = i;
    char e = i + 1 < end ? raw[++i] : '\0';
    switch (e) {
      case 'n': out += '\n'; continue;
      case 't': out += '\t'; continue;
      case 'r': out += '\r'; continue;
      case '0': out += '\0'; continue;
      case '"': out += '"'; continue;
      case '\\': out += '\\'; continue;
      case '/': out += '/'; continue;
      case 'u': {
        std::size_t close = raw.find('}', i);
        if (i + 1 < end && raw[i + 1] == '{' && close != std::string::npos && close < end && close > i + 2 &&
            close - i - 2 <= 6) {
          std::uint32_t cp = 0;
          auto [ptr, ec] = std::from_chars(raw.data() + i + 2, raw.data() + close, cp, 16);
          if (ec == std::errc() && ptr == raw.data() + close && cp <= 0x10FFFF && (cp < 0xD800 || cp > 0xDFFF)) {
            append_utf8(out, cp);
            i = close;
            continue;
          }
        }
        break;
      }
      default: break;
    }
    // Byte offsets within the token equal code-point offsets only for ASCII, so find the
    // escape's position by byte: whole.begin + start (the token text is the file's bytes).
    Span at{file_.id(), whole.begin + static_cast<std::uint32_t>(start),
            whole.begin + static_cast<std::uint32_t>(std::min(i + 1, end))};
    diagnostics_.report(DiagCode::S1004, at, "invalid escape sequence `" + raw.substr(start, i + 1 - start) + "`")
        .label(at, "not a valid escape")
        .help("valid escapes are \\\" \\\\ \\/ \\n \\r \\t \\0 and \\u{hex code point}");
  }
  return {ast::LiteralKind::String, out, whole};
}

ast::Literal Transformer::literal(P::LiteralContext* ctx) {
  Span where = span(ctx);
  if (ctx->STRING() != nullptr) return string_literal(ctx->STRING());
  std::string text = ctx->getText();
  if (ctx->INT() != nullptr) {
    std::int64_t value = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || ptr != text.data() + text.size())
      diagnostics_.report(DiagCode::S1005, where, "integer literal " + text + " does not fit in 64 bits")
          .label(where, "too large")
          .help("use a decimal literal (e.g. " + text + ".0) for exact large numbers");
    return {ast::LiteralKind::Int, text, where};
  }
  if (ctx->DECIMAL() != nullptr) return {ast::LiteralKind::Decimal, text, where};
  if (ctx->TRUE() != nullptr || ctx->FALSE() != nullptr) return {ast::LiteralKind::Bool, text, where};
  if (ctx->NULL_() != nullptr) return {ast::LiteralKind::Null, text, where};
  if (ctx->DURATION() != nullptr) return {ast::LiteralKind::Duration, text, where};
  ast::LiteralKind kind = ctx->DATE() != nullptr       ? ast::LiteralKind::Date
                          : ctx->DATETIME() != nullptr ? ast::LiteralKind::DateTime
                                                       : ast::LiteralKind::Time;
  std::string value = text.substr(1);
  std::string problem = date_problem(value, kind == ast::LiteralKind::Time);
  if (!problem.empty())
    diagnostics_.report(DiagCode::S1005, where, "invalid date or time literal " + text + ": " + problem)
        .label(where, problem);
  return {kind, value, where};
}

bool has_syntax_error(antlr4::tree::ParseTree* tree) {
  if (auto* rule = dynamic_cast<antlr4::ParserRuleContext*>(tree)) {
    if (rule->exception != nullptr) return true;
  } else if (dynamic_cast<antlr4::tree::ErrorNode*>(tree) != nullptr) {
    return true;
  }
  for (auto* child : tree->children)
    if (has_syntax_error(child)) return true;
  return false;
}

}  // namespace suture::parse
