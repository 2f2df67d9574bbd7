// json_files.cpp — input discovery and tolerant JSON reading (see json_files.h).
#include "compiler/schema/json_files.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <system_error>

namespace suture::schema {
namespace fs = std::filesystem;

std::vector<fs::path> list_json_inputs(const std::vector<fs::path>& inputs, std::vector<std::string>& errors) {
  std::vector<fs::path> files;
  for (const fs::path& input : inputs) {
    std::error_code ec;
    const fs::file_status status = fs::status(input, ec);
    if (ec || !fs::exists(status)) {
      errors.push_back(input.generic_string() + ": no such file or folder");
      continue;
    }
    if (!fs::is_directory(status)) {
      files.push_back(input);
      continue;
    }
    fs::recursive_directory_iterator it(input, fs::directory_options::follow_directory_symlink, ec);
    for (const fs::recursive_directory_iterator end; !ec && it != end; it.increment(ec)) {
      if (it->path().extension() == ".json" && it->is_regular_file(ec)) files.push_back(it->path());
    }
    if (ec) errors.push_back(input.generic_string() + ": cannot list folder: " + ec.message());
  }
  std::sort(files.begin(), files.end());
  files.erase(std::unique(files.begin(), files.end()), files.end());
  return files;
}

std::optional<nlohmann::json> read_json_file(const fs::path& file, std::vector<std::string>& errors) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    errors.push_back(file.generic_string() + ": cannot read file");
    return std::nullopt;
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  try {
    return nlohmann::json::parse(std::move(buffer).str());
  } catch (const nlohmann::json::parse_error& e) {
    // e.what() is "[json.exception.parse_error.101] parse error at line 1, column 2: …".
    std::string what = e.what();
    if (const auto close = what.find("] "); what.starts_with("[json.") && close != std::string::npos) {
      what.erase(0, close + 2);
    }
    errors.push_back(file.generic_string() + ": not valid JSON: " + what);
    return std::nullopt;
  }
}

std::string json_string(const nlohmann::json& object, const char* key) {
  if (!object.is_object()) return {};
  const auto it = object.find(key);
  return (it != object.end() && it->is_string()) ? it->get<std::string>() : std::string();
}

bool json_bool(const nlohmann::json& object, const char* key, bool fallback) {
  if (!object.is_object()) return fallback;
  const auto it = object.find(key);
  return (it != object.end() && it->is_boolean()) ? it->get<bool>() : fallback;
}

}  // namespace suture::schema
