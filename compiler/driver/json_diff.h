// json_diff.h — a readable structural diff of two JSON values for `suture test`'s whole-output
// expectations: one line per difference, each naming its JSON path, what the expected file
// says and what the mapping produced. Members are compared by name (order does not matter),
// arrays element by element.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace suture::driver {

struct JsonDiffOptions {
  bool false_is_absent = false;  // Odoo: an empty field is `false`, the same as no member
  std::size_t max_lines = 20;
};

// Empty when equal. Numbers compare by value (1.0 equals 1), strings exactly.
std::vector<std::string> json_diff(const nlohmann::json& expected, const nlohmann::json& actual,
                                   const JsonDiffOptions& options = {});

}  // namespace suture::driver
