// escape.cpp — ER7 escape sequences, both directions. The parser calls decode_escapes() on a
// leaf only when it contains the escape character; the writer's canonical mode calls
// append_escaped(). Contract: decode(append_escaped(t)) == t for every text t, so canonical
// re-encoding is stable.
#include <cctype>

#include "runtime/codecs/hl7v2/detail.h"

namespace suture::runtime::hl7::detail {
namespace {

bool is_hex(char c) {
  return std::isxdigit(static_cast<unsigned char>(c)) != 0;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}

bool all_hex(std::string_view s) {
  for (char c : s)
    if (!is_hex(c)) return false;
  return true;
}

bool all_digits(std::string_view s) {
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

// A body written verbatim must survive the parser's splitting (a separator may be '.' or '-').
bool splits_nothing(std::string_view body, const Separators& seps) {
  for (char c : body)
    if (seps.is_separator(c) || c == '\r' || c == '\n') return false;
  return true;
}

}  // namespace

bool is_kept_escape(std::string_view body) {
  if (body.empty()) return false;
  if (body == "H" || body == "N") return true;
  if (body[0] == '.') {
    auto cmd = body.substr(1);
    if (cmd == "br" || cmd == "fi" || cmd == "nf" || cmd == "ce") return true;
    for (std::string_view arg_cmd : {"sp", "in", "ti", "sk"}) {
      if (cmd.substr(0, 2) != arg_cmd) continue;
      auto arg = cmd.substr(2);
      if (!arg.empty() && (arg[0] == '+' || arg[0] == '-')) arg.remove_prefix(1);
      return arg.size() <= 9 && all_digits(arg);
    }
    return false;
  }
  if (body[0] == 'C') return body.size() == 5 && all_hex(body.substr(1));
  if (body[0] == 'M') return (body.size() == 5 || body.size() == 7) && all_hex(body.substr(1));
  if (body[0] == 'Z') {
    for (char c : body.substr(1))
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '_') return false;
    return true;
  }
  return false;
}

std::optional<EscapeProblem> decode_escapes(std::string_view raw, const Separators& seps, bool strict,
                                            std::string& out) {
  out.reserve(out.size() + raw.size());
  std::size_t i = 0;
  while (i < raw.size()) {
    std::size_t esc = raw.find(seps.escape, i);
    if (esc == std::string_view::npos) {
      out.append(raw.substr(i));
      break;
    }
    out.append(raw.substr(i, esc - i));
    std::size_t close = raw.find(seps.escape, esc + 1);
    if (close == std::string_view::npos) {
      if (strict) return EscapeProblem{esc, "escape sequence is not closed"};
      out.append(raw.substr(esc));  // kept verbatim
      break;
    }
    std::string_view body = raw.substr(esc + 1, close - esc - 1);
    std::string_view whole = raw.substr(esc, close - esc + 1);
    if (body.size() == 1 && body[0] == 'F')
      out.push_back(seps.field);
    else if (body.size() == 1 && body[0] == 'S')
      out.push_back(seps.component);
    else if (body.size() == 1 && body[0] == 'T')
      out.push_back(seps.subcomponent);
    else if (body.size() == 1 && body[0] == 'R')
      out.push_back(seps.repetition);
    else if (body.size() == 1 && body[0] == 'E')
      out.push_back(seps.escape);
    else if (body.size() == 1 && body[0] == 'P' && seps.truncation)
      out.push_back(*seps.truncation);
    else if (body.size() > 1 && body[0] == 'X') {
      auto hex = body.substr(1);
      if (hex.size() % 2 != 0 || !all_hex(hex)) {
        if (strict) return EscapeProblem{esc, "\\X escape needs an even number of hex digits"};
        out.append(whole);
      } else {
        for (std::size_t k = 0; k < hex.size(); k += 2)
          out.push_back(static_cast<char>(hex_value(hex[k]) * 16 + hex_value(hex[k + 1])));
      }
    } else if (is_kept_escape(body)) {
      out.append(whole);  // formatting / character set: the consumer interprets it
    } else {
      if (strict) return EscapeProblem{esc, "unknown escape sequence"};
      out.append(whole);
    }
    i = close + 1;
  }
  return std::nullopt;
}

void append_escaped(std::string& out, std::string_view text, const Separators& seps) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == seps.escape) {
      // A formatting escape kept verbatim by the decoder goes back out verbatim.
      std::size_t close = text.find(seps.escape, i + 1);
      if (close != std::string_view::npos && is_kept_escape(text.substr(i + 1, close - i - 1)) &&
          splits_nothing(text.substr(i + 1, close - i - 1), seps)) {
        out.append(text.substr(i, close - i + 1));
        i = close;
        continue;
      }
      out.push_back(seps.escape), out.push_back('E'), out.push_back(seps.escape);
    } else if (c == seps.field) {
      out.push_back(seps.escape), out.push_back('F'), out.push_back(seps.escape);
    } else if (c == seps.component) {
      out.push_back(seps.escape), out.push_back('S'), out.push_back(seps.escape);
    } else if (c == seps.subcomponent) {
      out.push_back(seps.escape), out.push_back('T'), out.push_back(seps.escape);
    } else if (c == seps.repetition) {
      out.push_back(seps.escape), out.push_back('R'), out.push_back(seps.escape);
    } else if (c == '\r' || c == '\n') {
      auto u = static_cast<unsigned char>(c);
      out.push_back(seps.escape), out.push_back('X'), out.push_back(kHex[u >> 4]), out.push_back(kHex[u & 15]);
      out.push_back(seps.escape);
    } else {
      out.push_back(c);
    }
  }
}

}  // namespace suture::runtime::hl7::detail
