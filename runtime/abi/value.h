// value.h — the runtime ABI: how a decoded message is laid out in memory. Declared once and
// shared by the codecs, the natives and the code the compiler generates (which reads fields
// by slot index, so the layout below is a contract: see the static_asserts).
// Pipeline position: codecs fill these; mappings, policies and routes read them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace suture::abi {

// Bumped whenever anything in this file changes layout or meaning; packs record it.
inline constexpr std::uint32_t kAbiVersion = 1;

enum class Kind : std::uint8_t {
  Absent = 0,  // the member was not in the message (an optional field left out)
  Null,        // an explicit null: HL7 `""`, JSON null where the format keeps it
  Bool,
  Int,
  Decimal,  // exact: `text` is the number as written ("1.50" stays "1.50")
  String,
  Date,  // `text` as written, `precision` says how much of it there is
  DateTime,
  Time,
  Instant,
  Duration,  // `integer` milliseconds
  Enum,      // `aux` is the member index in the enum descriptor
  Record,
  List,
  Json,  // the escape hatch: `text` is raw JSON
};

// Precision of dates and times, coarsest first.
enum class Precision : std::uint8_t { None = 0, Year, Month, Day, Hour, Minute, Second, Fraction };

struct Record;

// One value: 16 bytes, no destructor; all memory it points to belongs to the message's arena
// or to the input text, which outlive it.
struct Value {
  Kind kind = Kind::Absent;
  Precision precision = Precision::None;
  std::uint16_t flags = 0;  // kHas… bits below
  std::uint32_t aux = 0;    // text size, list size, or enum index
  union {
    std::int64_t integer;
    bool boolean;
    const char* text;
    Record* record;
    Value* items;
  };

  Value() : integer(0) {}
  bool present() const { return kind != Kind::Absent && kind != Kind::Null; }
  std::string_view str() const { return {text, aux}; }
};

// Value::flags bits.
inline constexpr std::uint16_t kHasOffset = 1u << 0;  // a date-time written with Z or ±hh:mm

// A member the schema does not know, kept verbatim when the codec is lenient.
struct UnknownMember {
  const char* key;
  std::uint32_t key_size;
  std::uint32_t raw_size;
  const char* raw;  // raw JSON (or ER7) text of the value
};

struct RecordDesc;

// A record: its descriptor, the members the schema does not know, and one Value per slot.
// Slots are the fields in declaration order, followed by extension slots (FHIR `_field`).
struct Record {
  const RecordDesc* desc;
  UnknownMember* unknown;
  std::uint32_t unknown_count;
  std::uint32_t slot_count;
  Value slots[1];  // really slot_count of them: allocate with record_size()
};

inline constexpr std::size_t record_size(std::uint32_t slots) {
  return offsetof(Record, slots) + sizeof(Value) * (slots == 0 ? 1 : slots);
}

static_assert(sizeof(Value) == 16, "generated code addresses slots as 16-byte values");
static_assert(offsetof(Value, aux) == 4 && offsetof(Value, integer) == 8, "Value layout is part of the ABI");
static_assert(offsetof(Record, slots) == 24, "generated code finds slot i at offset 24 + 16*i");

}  // namespace suture::abi
