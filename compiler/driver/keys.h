// keys.h — `--key NAME=FILE` and `--key NAME=env:VAR` options: the keys `hmac_sha256` and
// `pseudonymise … with "NAME"` use. Keys never come from specs.
#pragma once

#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "runtime/exec/context.h"

namespace suture::driver {

class KeyRing {
 public:
  // Reads one `NAME=FILE` / `NAME=env:VAR`; the error says what is wrong.
  std::optional<std::string> add(const std::string& spec);
  std::vector<runtime::NamedKey> keys() const;

 private:
  std::deque<std::pair<std::string, std::string>> keys_;  // stable storage for the views
};

}  // namespace suture::driver
