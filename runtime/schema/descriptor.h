// descriptor.h — what the runtime knows of a schema: records, their fields in slot order, and
// enums. Built by the compiler from checked types (compiler/lower) and stored in packs;
// codecs walk them to decode exactly the fields a schema declares.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "runtime/abi/value.h"

namespace suture::abi {

struct EnumDesc {
  std::string name;
  std::vector<std::string> codes;  // index = Value::aux
  int index_of(std::string_view code) const;
};

// The static type of a field, flattened: a scalar kind, or a record / enum, possibly a list,
// possibly optional.
struct TypeDesc {
  Kind kind = Kind::Json;              // Bool … Duration, Enum, Record or Json
  bool list = false;                   // list<T> / set<T> (elements are never optional)
  bool optional = false;               // T?
  const RecordDesc* record = nullptr;  // kind == Record; for an Odoo id<Model>, the model
  const EnumDesc* enumeration = nullptr;
  bool odoo_id = false;  // id<Model>: an integer id (Odoo many2one / x2many)
};

enum class DateFormat : std::uint8_t { Iso, Odoo };  // Odoo: naive UTC "YYYY-MM-DD HH:MM:SS[.ffffff]"

struct FieldDesc {
  std::string name;  // the member name in the message
  TypeDesc type;
  std::uint32_t slot = 0;
  bool has_extension = false;        // FHIR primitives: `_name` raw JSON; Odoo many2one: its display name
  std::int32_t extension_slot = -1;  // assigned by SchemaSet::finish(): the slot holding `_name` raw
  std::string choice;                // FHIR value[x]: "value" for valueQuantity, valueString, …
  bool choice_kind = false;          // not a message member: which alternative of `choice` is present
                                     // (an Enum whose codes are the type suffixes: Quantity, String, …)
  bool readonly = false;
  DateFormat date_format = DateFormat::Iso;
  std::uint16_t position = 0;  // HL7 v2: the field (segments) or component (data types) number, 1-based
};

struct RecordDesc {
  std::string name;                   // "Patient"
  std::string resource_type;          // FHIR `resourceType` this record carries ("" if none)
  std::string model;                  // Odoo model ("" if none)
  std::string segment;                // HL7 v2 segment id ("PID") for segment records ("" if none)
  std::vector<std::string> messages;  // HL7 v2 message types a structure carries ("ADT^A01", …)
  std::vector<FieldDesc> fields;
  std::uint32_t slot_count = 0;
  const FieldDesc* field(std::string_view member) const;  // by member name, or nullptr

  // Filled by SchemaSet::finish(): member name → field index. Looked up by string_view
  // without building a string (the decoder does this for every member of every message).
  struct NameHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, std::uint32_t, NameHash, std::equal_to<>> by_name;
};

// Owns descriptors; pointers into it stay valid for its lifetime.
class SchemaSet {
 public:
  RecordDesc& add_record(std::string name);
  EnumDesc& add_enum(std::string name);
  const RecordDesc* record(std::string_view name) const;
  const RecordDesc* resource(std::string_view resource_type) const;  // FHIR resourceType lookup
  const EnumDesc* enumeration(std::string_view name) const;
  // Every record, in the order added (the HL7 v2 codec scans them for `messages`).
  const std::deque<RecordDesc>& records() const { return records_; }
  const std::deque<EnumDesc>& enums() const { return enums_; }  // in the order added
  // Assigns slots (fields, then extension slots) and builds the name indexes.
  void finish();

 private:
  std::deque<RecordDesc> records_;
  std::deque<EnumDesc> enums_;
  std::unordered_map<std::string, RecordDesc*> record_by_name_;
  std::unordered_map<std::string, RecordDesc*> record_by_resource_;
  std::unordered_map<std::string, EnumDesc*> enum_by_name_;
};

}  // namespace suture::abi
