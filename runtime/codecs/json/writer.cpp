// writer.cpp — JSON text output helpers. Strings are written byte for byte except what JSON
// requires escaping (quote, backslash, control characters); UTF-8 passes through.
#include "runtime/codecs/json/writer.h"

#include <charconv>

namespace suture::runtime::json {

void write_string(std::string& out, std::string_view text) {
  static const char hex[] = "0123456789abcdef";
  out += '"';
  std::size_t run = 0;  // start of the bytes not yet copied
  for (std::size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(text.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        out += "\\u00";
        out += hex[c >> 4];
        out += hex[c & 0xF];
    }
  }
  out.append(text.data() + run, text.size() - run);
  out += '"';
}

void write_integer(std::string& out, std::int64_t n) {
  char buffer[24];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, n);
  out.append(buffer, end);
}

void write_key(std::string& out, std::string_view key, bool& first) {
  if (!first) out += ',';
  first = false;
  write_string(out, key);
  out += ':';
}

bool write_common(std::string& out, const abi::TypeDesc& type, const abi::Value& v, std::string_view missing) {
  switch (v.kind) {
    case abi::Kind::Bool: out += v.boolean ? "true" : "false"; return true;
    case abi::Kind::Int:
    case abi::Kind::Duration: write_integer(out, v.integer); return true;
    case abi::Kind::Decimal:
    case abi::Kind::Json: out.append(v.text, v.aux); return true;
    case abi::Kind::String: write_string(out, v.str()); return true;
    case abi::Kind::Enum:
      if (type.enumeration != nullptr && v.aux < type.enumeration->codes.size())
        write_string(out, type.enumeration->codes[v.aux]);
      else
        out += missing;
      return true;
    default: return false;
  }
}

}  // namespace suture::runtime::json
