// writer.h — appending JSON text to a std::string: escaped strings, integers, member keys.
// Shared by the FHIR and Odoo encoders (runtime/codecs/json).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "runtime/schema/descriptor.h"

namespace suture::runtime::json {

void write_string(std::string& out, std::string_view text);  // quoted, escaped per RFC 8259
void write_integer(std::string& out, std::int64_t n);
// `"key":`, preceded by a comma unless it is the first member (`first` is updated).
void write_key(std::string& out, std::string_view key, bool& first);
// Writes the values whose JSON is the same in every format (bool, integers, durations,
// decimals and raw JSON from their text, strings, enum codes) and returns true; returns false,
// writing nothing, for the rest (absent/null, dates, records, lists), which each format writes
// its own way. An enum index outside its descriptor is written as `missing`.
bool write_common(std::string& out, const abi::TypeDesc& type, const abi::Value& v, std::string_view missing);

}  // namespace suture::runtime::json
