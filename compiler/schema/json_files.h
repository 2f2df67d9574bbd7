// json_files.h — finding and reading the importers' JSON inputs. Every problem becomes a
// "file: what is wrong" line in the caller's error list; nothing is thrown.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace suture::schema {

// Explicit files as given; directories searched recursively for *.json. Sorted, deduplicated.
std::vector<std::filesystem::path> list_json_inputs(const std::vector<std::filesystem::path>& inputs,
                                                    std::vector<std::string>& errors);

// The parsed document, or nullopt after appending an error (unreadable, not JSON).
std::optional<nlohmann::json> read_json_file(const std::filesystem::path& file, std::vector<std::string>& errors);

// Small accessors that tolerate a missing or mistyped member.
std::string json_string(const nlohmann::json& object, const char* key);
bool json_bool(const nlohmann::json& object, const char* key, bool fallback);

}  // namespace suture::schema
