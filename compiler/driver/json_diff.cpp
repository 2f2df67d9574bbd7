// json_diff.cpp — structural comparison with JSON paths (see json_diff.h).
#include "compiler/driver/json_diff.h"

#include <set>

namespace suture::driver {
namespace {

std::string member_path(const std::string& base, const std::string& key) {
  bool plain = !key.empty() && (std::isalpha(static_cast<unsigned char>(key[0])) || key[0] == '_');
  for (char c : key) plain = plain && (std::isalnum(static_cast<unsigned char>(c)) || c == '_');
  return plain ? base + "." + key : base + "[" + nlohmann::json(key).dump() + "]";
}

std::string show(const nlohmann::json& v) {
  std::string text = v.dump();
  return text.size() > 80 ? text.substr(0, 77) + "..." : text;
}

struct Differ {
  const JsonDiffOptions& options;
  std::vector<std::string> lines;
  bool full = false;

  void add(std::string line) {
    if (lines.size() >= options.max_lines) {
      full = true;
      return;
    }
    lines.push_back(std::move(line));
  }

  bool absent(const nlohmann::json* v) const {
    return v == nullptr || v->is_null() || (options.false_is_absent && v->is_boolean() && !v->get<bool>());
  }

  void compare(const nlohmann::json* expected, const nlohmann::json* actual, const std::string& path) {
    if (full) return;
    if (absent(expected) && absent(actual)) return;
    if (absent(expected)) return add(path + ": not expected, got " + show(*actual));
    if (absent(actual)) return add(path + ": expected " + show(*expected) + ", missing");
    if (expected->is_object() && actual->is_object()) {
      std::set<std::string> keys;
      for (const auto& [k, v] : expected->items()) keys.insert(k);
      for (const auto& [k, v] : actual->items()) keys.insert(k);
      for (const std::string& k : keys) {
        auto e = expected->find(k);
        auto a = actual->find(k);
        compare(e == expected->end() ? nullptr : &*e, a == actual->end() ? nullptr : &*a, member_path(path, k));
      }
      return;
    }
    if (expected->is_array() && actual->is_array()) {
      std::size_t n = std::max(expected->size(), actual->size());
      for (std::size_t i = 0; i < n; ++i)
        compare(i < expected->size() ? &(*expected)[i] : nullptr, i < actual->size() ? &(*actual)[i] : nullptr,
                path + "[" + std::to_string(i) + "]");
      return;
    }
    if (expected->is_number() && actual->is_number()) {
      if (expected->get<double>() != actual->get<double>())
        add(path + ": expected " + show(*expected) + ", got " + show(*actual));
      return;
    }
    if (*expected != *actual) add(path + ": expected " + show(*expected) + ", got " + show(*actual));
  }
};

}  // namespace

std::vector<std::string> json_diff(const nlohmann::json& expected, const nlohmann::json& actual,
                                   const JsonDiffOptions& options) {
  Differ d{options, {}, false};
  d.compare(&expected, &actual, "$");
  if (d.full) d.lines.push_back("… and more");
  return d.lines;
}

}  // namespace suture::driver
