// keys.cpp — reading keys for pseudonymisation from files or the environment (see keys.h).
#include "compiler/driver/keys.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace suture::driver {

std::optional<std::string> KeyRing::add(const std::string& spec) {
  std::size_t eq = spec.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size())
    return "--key takes NAME=FILE or NAME=env:VARIABLE, e.g. --key mrn-key=/run/secrets/mrn";
  std::string name = spec.substr(0, eq), source = spec.substr(eq + 1), bytes;
  if (source.rfind("env:", 0) == 0) {
    const char* value = std::getenv(source.substr(4).c_str());
    if (value == nullptr || *value == '\0') return "the environment variable " + source.substr(4) + " is not set";
    bytes = value;
  } else {
    std::ifstream in(source, std::ios::binary);
    if (!in) return "cannot read the key file " + source;
    std::stringstream text;
    text << in.rdbuf();
    bytes = text.str();
    while (!bytes.empty() && (bytes.back() == '\n' || bytes.back() == '\r')) bytes.pop_back();
  }
  if (bytes.empty()) return "key " + name + " is empty";
  for (const auto& [existing, _] : keys_)
    if (existing == name) return "key " + name + " is given twice";
  keys_.emplace_back(name, bytes);
  return std::nullopt;
}

std::vector<runtime::NamedKey> KeyRing::keys() const {
  std::vector<runtime::NamedKey> out;
  for (const auto& [name, bytes] : keys_) out.push_back({name, bytes});
  return out;
}

}  // namespace suture::driver
