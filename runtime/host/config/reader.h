// reader.h — typed reading of yaml-cpp nodes for the host configuration. A Reader collects
// problems (never throws) and reads one node as a string, a whole number, a duration, a size,
// a rate, a list, a secret; a MapView checks a map's keys (unknown keys with a suggestion,
// duplicate keys) and hands out its fields. Each field carries its path ("listeners[0].tls")
// for messages and the 1-based line of its key.
// Pipeline position: private to runtime/host/config (config.cpp); the only code that sees
// yaml-cpp types.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/host/config/config.h"

namespace suture::host::config_reader {

struct Field {
  std::string path;  // "store", "listeners[0].limits.rate"
  YAML::Node node;
  int line = 0;  // 1-based line of the key (or of the list element)
};

// "<path>: " or "" at the top level.
std::string prefix(const std::string& path);

// 1-based line of a node, or `fallback` when yaml-cpp has no mark for it (null values).
int line_of(const YAML::Node& node, int fallback);

class Reader {
 public:
  Reader(std::string file, std::filesystem::path base_dir, Environment environment);

  void report(int line, std::string message);
  void report(const Field& field, const std::string& message) { report(field.line, prefix(field.path) + message); }
  std::vector<ConfigProblem> take_problems();

  // Each reader reports what is wrong and returns nullopt, or returns the value.
  std::optional<std::string> string(const Field& field);  // a non-empty scalar
  std::optional<std::uint64_t> whole(const Field& field, std::uint64_t min, std::uint64_t max);
  std::optional<std::uint64_t> duration_us(const Field& field, std::uint64_t min_us, std::uint64_t max_us);
  std::optional<std::uint32_t> duration_ms(const Field& field, std::uint64_t min_ms, std::uint64_t max_ms);
  std::optional<std::uint64_t> size(const Field& field, std::uint64_t min, std::uint64_t max);
  std::optional<double> rate(const Field& field);
  std::optional<std::vector<Field>> list(const Field& field);  // elements as fields "path[i]"
  std::optional<std::vector<std::string>> string_list(const Field& field);
  // {env: NAME} or {file: PATH}, resolved. A plain string is refused as an inline secret.
  std::optional<Secret> secret(const Field& field);
  // A path as written, resolved against the configuration's directory.
  std::string resolve(const std::string& written) const;
  // Reports when the file at `resolved` cannot be opened for reading; true when it can.
  bool readable(const Field& field, const std::string& written);

 private:
  std::string file_;
  std::filesystem::path base_dir_;
  Environment environment_;
  std::vector<ConfigProblem> problems_;
};

// The fields of one YAML map whose keys must come from `keys`. Reports, on construction: a
// node that is not a map, keys that are not strings, unknown keys (with the closest known key)
// and keys given twice.
class MapView {
 public:
  MapView(Reader& reader, const Field& field, std::initializer_list<std::string_view> keys);
  bool valid() const { return valid_; }
  bool has(std::string_view key) const { return fields_.count(std::string(key)) != 0; }
  std::optional<Field> get(std::string_view key) const;
  // Like get(), and reports "missing required key" (with `why`, when given) when absent.
  std::optional<Field> require(std::string_view key, const std::string& why = "");
  const Field& self() const { return self_; }

 private:
  Reader& reader_;
  Field self_;
  bool valid_ = false;
  std::map<std::string, Field> fields_;
};

// A map whose keys are free names (endpoints, attributes, headers): checks it is a map, keys
// are strings and none is given twice; returns (name, field) pairs in written order.
std::optional<std::vector<std::pair<std::string, Field>>> named_entries(Reader& reader, const Field& field);

// "a map", "a list", "nothing", or the scalar's text in quotes (only for non-secret fields).
std::string describe(const YAML::Node& node);

}  // namespace suture::host::config_reader
