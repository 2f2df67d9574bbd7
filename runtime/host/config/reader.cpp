// reader.cpp — typed reading of yaml-cpp nodes with every problem collected: strings, whole
// numbers, durations, sizes, rates, lists, secrets ({env:} / {file:}) and maps with a fixed
// set of keys. Secret values never appear in a message; only their source does.
#include "runtime/host/config/reader.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <set>

#include "runtime/host/config/values.h"

namespace suture::host::config_reader {

namespace fs = std::filesystem;
namespace cv = config_values;

namespace {

std::string in_quotes(std::string_view text) {
  return "\"" + std::string(text) + "\"";
}

std::string format_duration_us(std::uint64_t us) {
  struct Unit {
    std::uint64_t scale;
    const char* name;
  };
  for (Unit unit : {Unit{3600000000ULL, "h"}, Unit{60000000, "m"}, Unit{1000000, "s"}, Unit{1000, "ms"}}) {
    if (us != 0 && us % unit.scale == 0) return std::to_string(us / unit.scale) + unit.name;
  }
  return std::to_string(us) + "us";
}

std::string format_size(std::uint64_t bytes) {
  struct Unit {
    std::uint64_t scale;
    const char* name;
  };
  for (Unit unit : {Unit{1ULL << 30, "GiB"}, Unit{1ULL << 20, "MiB"}, Unit{1ULL << 10, "KiB"}}) {
    if (bytes != 0 && bytes % unit.scale == 0) return std::to_string(bytes / unit.scale) + unit.name;
  }
  return std::to_string(bytes) + (bytes == 1 ? " byte" : " bytes");
}

bool is_env_name(std::string_view name) {
  if (name.empty() || !(std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_')) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

void trim_trailing_space(std::string& text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ' || text.back() == '\t')) {
    text.pop_back();
  }
}

// The whole file, or the reason it cannot be read.
bool read_file(const std::string& path, std::string& content, std::string& why) {
  std::error_code error;
  if (fs::is_directory(path, error)) {
    why = "it is a directory";
    return false;
  }
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) {
    why = std::strerror(errno);
    return false;
  }
  char buffer[4096];
  std::size_t got = 0;
  while ((got = std::fread(buffer, 1, sizeof buffer, file)) > 0) content.append(buffer, got);
  bool failed = std::ferror(file) != 0;
  std::fclose(file);
  if (failed) {
    why = "read error";
    return false;
  }
  return true;
}

}  // namespace

std::string prefix(const std::string& path) {
  return path.empty() ? "" : path + ": ";
}

int line_of(const YAML::Node& node, int fallback) {
  // yaml-cpp marks an empty (null) value with the position of the token after it.
  if (!node.IsDefined() || node.IsNull() || node.Mark().line < 0) return fallback;
  return node.Mark().line + 1;
}

std::string describe(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: return "a map";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Scalar: {
      const std::string& text = node.Scalar();
      return text.size() > 40 ? in_quotes(text.substr(0, 40) + "…") : in_quotes(text);
    }
    default: return "nothing";
  }
}

Reader::Reader(std::string file, fs::path base_dir, Environment environment)
    : file_(std::move(file)), base_dir_(std::move(base_dir)), environment_(std::move(environment)) {
  if (!environment_) {
    environment_ = [](const std::string& name) -> std::optional<std::string> {
      const char* value = std::getenv(name.c_str());
      if (value == nullptr) return std::nullopt;
      return std::string(value);
    };
  }
}

void Reader::report(int line, std::string message) {
  problems_.push_back({file_, line, std::move(message)});
}

std::vector<ConfigProblem> Reader::take_problems() {
  std::stable_sort(problems_.begin(), problems_.end(),
                   [](const ConfigProblem& a, const ConfigProblem& b) { return a.line < b.line; });
  std::vector<ConfigProblem> unique;
  std::set<std::pair<int, std::string>> seen;
  for (auto& problem : problems_) {
    if (seen.insert({problem.line, problem.message}).second) unique.push_back(std::move(problem));
  }
  problems_.clear();
  return unique;
}

std::optional<std::string> Reader::string(const Field& field) {
  if (!field.node.IsScalar()) {
    report(field, "expected a string, got " + describe(field.node));
    return std::nullopt;
  }
  if (field.node.Scalar().empty()) {
    report(field, "must not be empty");
    return std::nullopt;
  }
  return field.node.Scalar();
}

std::optional<std::uint64_t> Reader::whole(const Field& field, std::uint64_t min, std::uint64_t max) {
  const std::string& text = field.node.IsScalar() ? field.node.Scalar() : std::string();
  bool digits = !text.empty() && text.size() <= 18 &&
                std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (!field.node.IsScalar() || !digits) {
    report(field, "expected a whole number, got " + describe(field.node));
    return std::nullopt;
  }
  std::uint64_t value = std::stoull(text);
  if (value < min || value > max) {
    report(field, text + " is out of range (" + std::to_string(min) + " to " + std::to_string(max) + ")");
    return std::nullopt;
  }
  return value;
}

std::optional<std::uint64_t> Reader::duration_us(const Field& field, std::uint64_t min_us, std::uint64_t max_us) {
  if (!field.node.IsScalar()) {
    report(field, "expected a duration (500ms, 2s, 5m), got " + describe(field.node));
    return std::nullopt;
  }
  auto parsed = cv::parse_duration_us(field.node.Scalar());
  if (!parsed.ok()) {
    report(field, parsed.error);
    return std::nullopt;
  }
  if (parsed.value < min_us) {
    report(field, "must be at least " + format_duration_us(min_us));
    return std::nullopt;
  }
  if (parsed.value > max_us) {
    report(field, "must be at most " + format_duration_us(max_us));
    return std::nullopt;
  }
  return parsed.value;
}

std::optional<std::uint32_t> Reader::duration_ms(const Field& field, std::uint64_t min_ms, std::uint64_t max_ms) {
  auto us = duration_us(field, min_ms * 1000, max_ms * 1000);
  if (!us) return std::nullopt;
  if (*us % 1000 != 0) {
    report(field, "must be a whole number of milliseconds");
    return std::nullopt;
  }
  return static_cast<std::uint32_t>(*us / 1000);
}

std::optional<std::uint64_t> Reader::size(const Field& field, std::uint64_t min, std::uint64_t max) {
  if (!field.node.IsScalar()) {
    report(field, "expected a size (65536, 512KiB, 1MiB), got " + describe(field.node));
    return std::nullopt;
  }
  auto parsed = cv::parse_size(field.node.Scalar());
  if (!parsed.ok()) {
    report(field, parsed.error);
    return std::nullopt;
  }
  if (parsed.value < min || parsed.value > max) {
    report(field, "must be between " + format_size(min) + " and " + format_size(max));
    return std::nullopt;
  }
  return parsed.value;
}

std::optional<double> Reader::rate(const Field& field) {
  if (!field.node.IsScalar()) {
    report(field, "expected a rate (500/s, 100/m), got " + describe(field.node));
    return std::nullopt;
  }
  auto parsed = cv::parse_rate(field.node.Scalar());
  if (!parsed.ok()) {
    report(field, parsed.error);
    return std::nullopt;
  }
  return parsed.value;
}

std::optional<std::vector<Field>> Reader::list(const Field& field) {
  if (!field.node.IsSequence()) {
    std::string message = "expected a list, got " + describe(field.node);
    if (field.node.IsScalar()) message += "; write [" + field.node.Scalar() + "]";
    report(field, message);
    return std::nullopt;
  }
  std::vector<Field> elements;
  for (std::size_t i = 0; i < field.node.size(); ++i) {
    YAML::Node element = field.node[i];
    elements.push_back({field.path + "[" + std::to_string(i) + "]", element, line_of(element, field.line)});
  }
  return elements;
}

std::optional<std::vector<std::string>> Reader::string_list(const Field& field) {
  auto elements = list(field);
  if (!elements) return std::nullopt;
  std::vector<std::string> values;
  bool all = true;
  for (const Field& element : *elements) {
    if (auto value = string(element))
      values.push_back(*value);
    else
      all = false;
  }
  if (!all) return std::nullopt;
  return values;
}

std::optional<Secret> Reader::secret(const Field& field) {
  const std::string expected = "{env: NAME} or {file: PATH}";
  if (field.node.IsScalar()) {
    // Never echo the text: it is most likely the secret itself.
    report(field, "inline secrets are refused; use " + expected);
    return std::nullopt;
  }
  if (!field.node.IsMap()) {
    report(field, "expected " + expected + ", got " + describe(field.node));
    return std::nullopt;
  }
  MapView view(*this, field, {"env", "file"});
  auto env = view.get("env");
  auto file = view.get("file");
  if (env && file) {
    report(field, "give env or file, not both");
    return std::nullopt;
  }
  if (!env && !file) {
    if (view.valid() && field.node.size() == 0) report(field, "expected " + expected + ", got an empty map");
    return std::nullopt;
  }
  Secret secret;
  if (env) {
    auto name = string(*env);
    if (!name) return std::nullopt;
    if (!is_env_name(*name)) {
      report(*env, in_quotes(*name) + " is not an environment variable name");
      return std::nullopt;
    }
    secret.source = "env:" + *name;
    auto value = environment_(*name);
    if (!value) {
      report(field, "environment variable " + *name + " is not set");
      return std::nullopt;
    }
    secret.value = *value;
    trim_trailing_space(secret.value);
    if (secret.value.empty()) {
      report(field, "environment variable " + *name + " is empty");
      return std::nullopt;
    }
    return secret;
  }
  auto written = string(*file);
  if (!written) return std::nullopt;
  secret.source = "file:" + *written;
  std::string why;
  if (!read_file(resolve(*written), secret.value, why)) {
    report(field, "cannot read " + *written + ": " + why);
    return std::nullopt;
  }
  trim_trailing_space(secret.value);
  if (secret.value.empty()) {
    report(field, "file " + *written + " is empty");
    return std::nullopt;
  }
  return secret;
}

std::string Reader::resolve(const std::string& written) const {
  fs::path path(written);
  if (path.is_absolute() || base_dir_.empty()) return path.lexically_normal().string();
  return (base_dir_ / path).lexically_normal().string();
}

bool Reader::readable(const Field& field, const std::string& written) {
  std::string content, why;
  if (!read_file(resolve(written), content, why)) {
    report(field, "cannot read " + written + ": " + why);
    return false;
  }
  return true;
}

MapView::MapView(Reader& reader, const Field& field, std::initializer_list<std::string_view> keys)
    : reader_(reader), self_(field) {
  if (!field.node.IsMap()) {
    reader.report(field, "expected a map, got " + describe(field.node));
    return;
  }
  valid_ = true;
  std::vector<std::string_view> known(keys);
  for (auto it = field.node.begin(); it != field.node.end(); ++it) {
    // The iterator hands out a temporary pair: keep copies of the nodes, not references.
    YAML::Node key = it->first;
    YAML::Node value = it->second;
    int line = line_of(key, field.line);
    if (!key.IsScalar()) {
      reader.report(line, prefix(field.path) + "expected a key, got " + describe(key));
      continue;
    }
    std::string name = key.Scalar();
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      std::string message = prefix(field.path) + "unknown key " + in_quotes(name);
      std::string close = cv::suggest(name, known);
      if (!close.empty()) {
        message += "; did you mean " + in_quotes(close) + "?";
      } else {
        message += " (expected one of: ";
        for (std::size_t i = 0; i < known.size(); ++i) message += (i ? ", " : "") + std::string(known[i]);
        message += ")";
      }
      reader.report(line, message);
      continue;
    }
    if (auto prior = fields_.find(name); prior != fields_.end()) {
      reader.report(line, prefix(field.path) + "key " + in_quotes(name) + " is given twice (first at line " +
                              std::to_string(prior->second.line) + ")");
      continue;
    }
    std::string path = field.path.empty() ? name : field.path + "." + name;
    fields_.emplace(name, Field{path, value, line});
  }
}

std::optional<Field> MapView::get(std::string_view key) const {
  auto found = fields_.find(std::string(key));
  if (found == fields_.end()) return std::nullopt;
  return found->second;
}

std::optional<Field> MapView::require(std::string_view key, const std::string& why) {
  auto field = get(key);
  if (!field && valid_) {
    reader_.report(self_.line, prefix(self_.path) + "missing required key " + in_quotes(key) +
                                   (why.empty() ? "" : " (" + why + ")"));
  }
  return field;
}

std::optional<std::vector<std::pair<std::string, Field>>> named_entries(Reader& reader, const Field& field) {
  if (!field.node.IsMap()) {
    reader.report(field, "expected a map of names, got " + describe(field.node));
    return std::nullopt;
  }
  std::vector<std::pair<std::string, Field>> entries;
  std::map<std::string, int> first_line;
  for (auto it = field.node.begin(); it != field.node.end(); ++it) {
    YAML::Node key = it->first;
    YAML::Node value = it->second;
    int line = line_of(key, field.line);
    if (!key.IsScalar() || key.Scalar().empty()) {
      reader.report(line, prefix(field.path) + "expected a name, got " + describe(key));
      continue;
    }
    std::string name = key.Scalar();
    if (auto prior = first_line.find(name); prior != first_line.end()) {
      reader.report(line, prefix(field.path) + in_quotes(name) + " is given twice (first at line " +
                              std::to_string(prior->second) + ")");
      continue;
    }
    first_line.emplace(name, line);
    std::string path = field.path.empty() ? name : field.path + "." + name;
    entries.emplace_back(name, Field{path, value, line});
  }
  return entries;
}

}  // namespace suture::host::config_reader
