// writer.h — appending JSON text to a std::string: escaped strings, integers, member keys.
// Shared by the FHIR and Odoo encoders (runtime/codecs/json).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace suture::runtime::json {

void write_string(std::string& out, std::string_view text);  // quoted, escaped per RFC 8259
void write_integer(std::string& out, std::int64_t n);
// `"key":`, preceded by a comma unless it is the first member (`first` is updated).
void write_key(std::string& out, std::string_view key, bool& first);

}  // namespace suture::runtime::json
