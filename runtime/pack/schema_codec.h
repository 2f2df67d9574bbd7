// schema_codec.h — the binary encoding of an abi::SchemaSet inside a pack (internal to
// runtime/pack). Records and enums keep their order, so indexes survive; record and enum
// references are written as indexes. Slots are not stored: SchemaSet::finish() recomputes them.
//
//   schemas := varint enum_count, enum*, varint record_count, record*
//   enum    := str name, varint code_count, str code*
//   record  := str name, str resource_type, str model, str segment,
//              varint message_count, str message*, varint field_count, field*
//   field   := str name, u8 kind, u8 flags, u8 date_format, varint position, str choice,
//              varint record_ref, varint enum_ref          (refs: 0 = none, else index + 1)
//   str     := varint size, bytes
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <variant>

#include "runtime/schema/descriptor.h"

namespace suture::pack {

// Appends the encoding of `set` to `out`.
// INVARIANT: every TypeDesc reference points into `set` itself (a foreign one is written as none).
void encode_schemas(const abi::SchemaSet& set, std::string& out);

// Rebuilds the set (finish()ed), or says why the bytes are not a valid encoding.
std::variant<std::unique_ptr<abi::SchemaSet>, std::string> decode_schemas(std::string_view bytes);

}  // namespace suture::pack
