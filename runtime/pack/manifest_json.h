// manifest_json.h — the pack manifest as JSON text (internal to runtime/pack). Written compact,
// keys in a fixed order, "content_hash" first (format.h relies on it), build_info sorted.
#pragma once

#include <string>
#include <string_view>
#include <variant>

#include "runtime/pack/pack.h"

namespace suture::pack {

// `m` with its content hash replaced by `hash_hex` (64 hex digits).
std::string manifest_to_json(const Manifest& m, std::string_view hash_hex);

// Parses and checks a manifest: every key present with the right type, known kinds and formats.
std::variant<Manifest, std::string> manifest_from_json(std::string_view text);

}  // namespace suture::pack
