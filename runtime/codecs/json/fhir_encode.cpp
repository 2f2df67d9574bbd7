// fhir_encode.cpp — abi::Record → FHIR R4 JSON, straight into a std::string: resourceType
// first, fields in descriptor order, `_field` right after its field, kept unknown members last.
// Decimals and raw JSON are written from their text, so decode → encode keeps every value;
// empty lists are left out (FHIR JSON forbids `[]`).
#include "runtime/codecs/json/json.h"
#include "runtime/codecs/json/temporal.h"
#include "runtime/codecs/json/writer.h"

namespace suture::runtime::json {
namespace {

using abi::Kind;

void write_record(std::string& out, const abi::Record& record);

void write_value(std::string& out, const abi::TypeDesc& type, const abi::Value& v) {
  if (write_common(out, type, v, "null")) return;
  switch (v.kind) {
    case Kind::Date:
    case Kind::Time: write_string(out, v.str()); break;
    case Kind::DateTime:
    case Kind::Instant: write_string(out, to_fhir_temporal(v)); break;
    case Kind::Record: write_record(out, *v.record); break;
    case Kind::List:
      out += '[';
      for (std::uint32_t i = 0; i < v.aux; ++i) {
        if (i != 0) out += ',';
        write_value(out, type, v.items[i]);
      }
      out += ']';
      break;
    default: out += "null"; break;  // absent or null
  }
}

void write_record(std::string& out, const abi::Record& record) {
  const abi::RecordDesc& desc = *record.desc;
  bool first = true;
  out += '{';
  if (!desc.resource_type.empty()) {
    write_key(out, "resourceType", first);
    write_string(out, desc.resource_type);
  }
  for (const abi::FieldDesc& f : desc.fields) {
    if (f.choice_kind) continue;  // derived from which alternative is present
    const abi::Value& v = record.slots[f.slot];
    // FHIR JSON has no empty arrays: an empty list is written as no member at all.
    if (v.kind != Kind::Absent && !(v.kind == Kind::List && v.aux == 0)) {
      write_key(out, f.name, first);
      write_value(out, f.type, v);
    }
    if (f.extension_slot >= 0 && record.slots[f.extension_slot].kind == Kind::Json) {
      if (!first) out += ',';
      first = false;
      out += "\"_";
      out += f.name;  // member names are identifiers: nothing to escape
      out += "\":";
      out.append(record.slots[f.extension_slot].text, record.slots[f.extension_slot].aux);
    }
  }
  for (std::uint32_t i = 0; i < record.unknown_count; ++i) {
    const abi::UnknownMember& m = record.unknown[i];
    write_key(out, {m.key, m.key_size}, first);
    out.append(m.raw, m.raw_size);
  }
  out += '}';
}

}  // namespace

void encode_fhir(const abi::Record& record, std::string& out) {
  write_record(out, record);
}

}  // namespace suture::runtime::json
