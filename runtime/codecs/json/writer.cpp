// writer.cpp — JSON text output helpers. Strings are written exactly as jq 1.6 writes them
// (`jq -c`), so outputs can be compared byte for byte with jq programs: `"` `\\` and \b \f \n
// \r \t get their short escapes, other control characters and DEL (0x7f) become \u00xx with
// lower-case hex, valid UTF-8 passes through, and each invalid UTF-8 sequence becomes U+FFFD
// the way jq's decoder splits them (see utf8_sequence()).
#include "runtime/codecs/json/writer.h"

#include <charconv>
#include <cstring>

namespace suture::runtime::json {
namespace {

constexpr char kReplacement[] = "\xEF\xBF\xBD";  // U+FFFD

// Bytes [p, end) start with a byte >= 0x80. Returns how many bytes jq's UTF-8 decoder consumes
// for the sequence and whether they form a valid code point. jq's rules: C0, C1, F5–FF and a
// stray continuation byte are one bad byte each; a sequence cut short by the end of the string
// swallows the rest of it; a sequence cut short by a non-continuation byte ends before that
// byte; overlong forms, surrogates and code points above U+10FFFF are bad as a whole.
std::size_t utf8_sequence(const unsigned char* p, const unsigned char* end, bool& valid) {
  unsigned char lead = p[0];
  std::size_t length = 0;
  std::uint32_t cp = 0;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
    cp = lead & 0x1F;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    cp = lead & 0x0F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    cp = lead & 0x07;
  } else {
    valid = false;
    return 1;
  }
  auto available = static_cast<std::size_t>(end - p);
  if (length > available) {
    valid = false;
    return available;
  }
  for (std::size_t i = 1; i < length; ++i) {
    if ((p[i] & 0xC0) != 0x80) {
      valid = false;
      return i;
    }
    cp = (cp << 6) | (p[i] & 0x3F);
  }
  static constexpr std::uint32_t kMinimum[5] = {0, 0, 0x80, 0x800, 0x10000};
  valid = cp >= kMinimum[length] && !(cp >= 0xD800 && cp <= 0xDFFF) && cp <= 0x10FFFF;
  return length;
}

// True when none of the 8 bytes at p needs attention (control, '"', '\\', DEL or non-ASCII).
// False positives are allowed (the byte loop then looks closer); false negatives are not.
bool plain8(const unsigned char* p) {
  constexpr std::uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
  std::uint64_t w;
  std::memcpy(&w, p, 8);
  std::uint64_t control = (w - ones * 0x20) & ~w & highs;
  std::uint64_t q = w ^ (ones * '"'), b = w ^ (ones * '\\');
  std::uint64_t quote = (q - ones) & ~q & highs, backslash = (b - ones) & ~b & highs;
  std::uint64_t high_or_del = ((w + ones) | w) & highs;
  return (control | quote | backslash | high_or_del) == 0;
}

}  // namespace

void write_string(std::string& out, std::string_view text) {
  static const char hex[] = "0123456789abcdef";
  out += '"';
  const auto* begin = reinterpret_cast<const unsigned char*>(text.data());
  const unsigned char* end = begin + text.size();
  const unsigned char* run = begin;  // start of the bytes not yet copied
  const unsigned char* p = begin;
  while (p < end) {
    if (end - p >= 8 && plain8(p)) {
      p += 8;
      continue;
    }
    unsigned char c = *p;
    if (c >= 0x20 && c != '"' && c != '\\' && c < 0x7F) {
      ++p;
      continue;
    }
    if (c >= 0x80) {
      bool valid = true;
      std::size_t n = utf8_sequence(p, end, valid);
      if (valid) {
        p += n;
        continue;
      }
      out.append(reinterpret_cast<const char*>(run), static_cast<std::size_t>(p - run));
      out.append(kReplacement, 3);
      p += n;
      run = p;
      continue;
    }
    out.append(reinterpret_cast<const char*>(run), static_cast<std::size_t>(p - run));
    switch (c) {
      case '"': out.append("\\\"", 2); break;
      case '\\': out.append("\\\\", 2); break;
      case '\n': out.append("\\n", 2); break;
      case '\r': out.append("\\r", 2); break;
      case '\t': out.append("\\t", 2); break;
      case '\b': out.append("\\b", 2); break;
      case '\f': out.append("\\f", 2); break;
      default: {
        char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xF]};
        out.append(u, 6);
      }
    }
    ++p;
    run = p;
  }
  out.append(reinterpret_cast<const char*>(run), static_cast<std::size_t>(end - run));
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
