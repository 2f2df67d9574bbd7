// naming.cpp — name transformations and the clash-resolving NameTable (see naming.h).
#include "compiler/schema/naming.h"

namespace suture::schema {
namespace {

bool is_ascii_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
bool is_upper(char c) {
  return c >= 'A' && c <= 'Z';
}
bool is_lower_or_digit(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}
char to_upper(char c) {
  return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
}
char to_lower(char c) {
  return is_upper(c) ? static_cast<char>(c - 'A' + 'a') : c;
}

}  // namespace

std::string pascal_case(std::string_view text) {
  std::string out;
  bool word_start = true;
  for (char c : text) {
    if (!is_ascii_alnum(c)) {
      word_start = true;
      continue;
    }
    // "sel_groups_1_6" → "SelGroups1_6": digits of two words stay apart.
    const bool is_digit = c >= '0' && c <= '9';
    if (word_start && is_digit && !out.empty() && out.back() >= '0' && out.back() <= '9') {
      out += '_';
    }
    out += word_start ? to_upper(c) : c;
    word_start = false;
  }
  if (!out.empty() && out[0] >= '0' && out[0] <= '9') out.insert(out.begin(), 'T');
  return out;
}

std::string upper_first(std::string_view text) {
  std::string out(text);
  if (!out.empty()) out[0] = to_upper(out[0]);
  return out;
}

std::string snake_case(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (!is_ascii_alnum(c)) {
      if (!out.empty() && out.back() != '_') out += '_';
      continue;
    }
    if (is_upper(c) && i > 0 && !out.empty() && out.back() != '_') {
      const bool after_lower = is_lower_or_digit(text[i - 1]);
      const bool acronym_end = is_upper(text[i - 1]) && i + 1 < text.size() && text[i + 1] >= 'a' && text[i + 1] <= 'z';
      if (after_lower || acronym_end) out += '_';
    }
    out += to_lower(c);
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  return out;
}

bool NameTable::try_take(const std::string& name) {
  return names_.insert(name).second;
}

std::string NameTable::take(const std::string& preferred) {
  if (try_take(preferred)) return preferred;
  for (int suffix = 2;; ++suffix) {
    std::string candidate = preferred + std::to_string(suffix);
    if (try_take(candidate)) return candidate;
  }
}

}  // namespace suture::schema
