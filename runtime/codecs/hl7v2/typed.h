// typed.h — schema-directed HL7 v2: a parsed ER7 Message (er7.h) decoded into typed abi::Record
// values against the hl7v2 schema descriptors (stdlib/hl7v2: message structures, groups,
// segments, data types), and a typed structure encoded back to ER7.
// Pipeline: bytes ─► parse (er7.h) ─► Message ─► decode_typed ─► abi::Record ─► encode_typed ─► bytes.
//
// Shape of the result:
//  - a structure / group record has one slot per segment or group member (lists for repeating
//    ones); segments are records whose slots are the HL7 fields by `position`; composites are
//    records of components, components that are records hold subcomponents.
//  - nothing on the wire is dropped. What the schema does not model is kept as UnknownMember:
//      * a segment that fits nowhere in the structure (Z-segments, ROL, PRT, …): on the
//        *segment record it follows* (key = segment id, raw = the segment's ER7 text without
//        terminator), re-emitted right after that segment; before any known segment: on the
//        root, emitted first;
//      * a field beyond the segment's schema: key "PID-40" (raw = the field's ER7 text);
//      * repetitions 2.. of a non-repeating field: key "PID-7" (its schema position; raw = the
//        extra repetitions' ER7, `~`-joined, without the leading separator);
//      * a component (or subcomponent) beyond a data type's schema: key "10" (its position) on
//        the data-type record;
//    a primitive whose wire value has components/subcomponents (e.g. OBX-5, `Varies`) keeps its
//    ER7 wire text, flagged kEr7Text, and is written back verbatim.
//  - text is the decoded (unescaped) text, copied into the arena: the record does not point
//    into the Message. NM → Kind::Decimal (text as written), SI → Kind::Int. `""` → Kind::Null;
//    empty → Kind::Absent (an absent repeating field is Kind::Absent, not an empty list).
// No function here throws; failures are Error values (er7_types.h) with code, segment ordinal,
// HL7 path and byte offset.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "runtime/abi/value.h"
#include "runtime/codecs/hl7v2/er7_types.h"
#include "runtime/schema/descriptor.h"
#include "runtime/value/arena.h"

namespace suture::runtime::hl7 {

/// Value::flags bit used by this codec only: `text` is ER7 wire text (escaped, with the
/// message's separators) of a primitive that arrived with components; written verbatim.
inline constexpr std::uint16_t kEr7Text = 1u << 8;

struct TypedResult {
  abi::Record* record = nullptr;  ///< set exactly when error is empty
  std::optional<Error> error;
  explicit operator bool() const { return record != nullptr; }
};

/// Chooses the structure by MSH-9: "type^event" against RecordDesc::messages, then MSH-9.3
/// (message structure, e.g. ADT_A01) against the structure names, then "type" alone (ACK).
/// No match: HL7_UNKNOWN_STRUCTURE.
TypedResult decode_typed(const Message& message, const abi::SchemaSet& schemas, runtime::Arena& arena);
/// Decodes against an explicit structure record.
TypedResult decode_typed_as(const Message& message, const abi::RecordDesc& structure, runtime::Arena& arena);

/// Writes ER7 with the separators of the record's MSH (MSH-1/MSH-2; the defaults `|^~\&` when
/// there is none), `\r` after each segment, text escaped, trailing empty elements trimmed.
std::string encode_typed(const abi::Record& structure);

}  // namespace suture::runtime::hl7
