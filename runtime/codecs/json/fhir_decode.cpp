// fhir_decode.cpp — FHIR R4 JSON → abi::Record, walking the descriptors: exact decimals,
// primitive extensions (`_field`) kept raw in the field's extension slot, choice groups,
// required enum bindings, FHIR date/time syntax, resource-typed elements kept as raw JSON.
// With a Projection, only the members its plans name are decoded; the rest are skipped.
#include <utility>
#include <vector>

#include "runtime/codecs/json/reader.h"
#include "runtime/codecs/json/temporal.h"

namespace suture::runtime::json {
namespace {

using abi::Kind;

using Plan = Projection::Plan;

// Under a projection, a record none of whose fields is needed: every member is skipped.
const Plan kNothing{};

class FhirDecoder {
 public:
  FhirDecoder(Reader& reader, bool projected) : r_(reader), projected_(projected) {}

  abi::Record* record(od::object& object, const abi::RecordDesc& desc, const Plan* plan, bool root);

 private:
  bool field(abi::Record& record, const abi::FieldDesc& f, od::value& value, const Plan* child);
  bool extension(abi::Record& record, const abi::FieldDesc& f, od::value& value);
  bool element(const abi::TypeDesc& type, od::value& value, abi::Value& out, bool in_list, const Plan* child);
  bool choice_conflict(const abi::Record& record, const abi::FieldDesc& f);
  void fill_choice_kind(abi::Record& record, const abi::FieldDesc& kind);
  bool check_required(const abi::Record& record, const abi::FieldDesc& f);

  Reader& r_;
  bool projected_;
};

bool present(const abi::Value& v) {
  return v.kind != Kind::Absent;
}

abi::Record* FhirDecoder::record(od::object& object, const abi::RecordDesc& desc, const Plan* plan, bool root) {
  if (projected_ && plan == nullptr) plan = &kNothing;
  abi::Record* rec = r_.new_record(desc);
  std::size_t frame;
  if (!r_.enter(frame)) return nullptr;
  std::size_t unknown = r_.unknown_mark();
  bool saw_resource_type = false;
  for (auto member : object) {
    od::field fld;
    if (auto e = std::move(member).get(fld)) return r_.fail_simdjson(e), nullptr;
    std::string_view key;
    bool in_input;
    if (!r_.read_key(fld, key, in_input)) return nullptr;
    r_.set_key(frame, key);
    od::value value = fld.value();
    if (root && !desc.resource_type.empty() && key == "resourceType") {
      abi::Value type;
      if (!r_.read_string(value, type)) return nullptr;
      if (type.str() != desc.resource_type)
        return r_.fail(code::kResourceTypeMismatch, "expected resourceType \"" + desc.resource_type + "\", found \"" +
                                                        std::string(type.str()) + "\""),
               nullptr;
      saw_resource_type = true;
      continue;
    }
    const abi::FieldDesc* f = nullptr;
    bool is_extension = false;
    const Plan* child = nullptr;
    if (projected_) {
      const Plan::Member* m = in_input ? plan->find_padded(key) : plan->find(key);
      if (m == nullptr) continue;  // not read by any rule: skipped, never decoded
      f = &desc.fields[m->field];
      is_extension = m->extension;
      child = plan->child[m->field];
    } else {
      f = desc.field(key);
      if (f != nullptr && f->choice_kind) f = nullptr;  // says which value[x] is present: never a member
      if (f != nullptr) is_extension = key.size() != f->name.size();
    }
    if (f == nullptr) {
      if (r_.options().unknown == Unknown::Reject)
        return r_.fail(code::kUnknownMember, "\"" + std::string(key) + "\" is not a member of " + desc.name), nullptr;
      std::string_view raw;
      if (!r_.read_raw(value, raw)) return nullptr;
      r_.keep_unknown(key, raw);
    } else if (is_extension) {
      if (!extension(*rec, *f, value)) return nullptr;
    } else if (!field(*rec, *f, value, child)) {
      return nullptr;
    }
  }
  r_.leave(frame);
  if (root && !desc.resource_type.empty() && !saw_resource_type)
    return r_.fail(code::kMissingResourceType, "a " + desc.resource_type + " must carry resourceType"), nullptr;
  if (projected_) {
    for (std::uint32_t i : plan->required)
      if (!check_required(*rec, desc.fields[i])) return nullptr;
    for (std::uint32_t i : plan->choice_kinds) fill_choice_kind(*rec, desc.fields[i]);
  } else {
    for (const abi::FieldDesc& f : desc.fields) {
      if (f.choice_kind) {
        fill_choice_kind(*rec, f);
      } else if (!f.type.optional && !f.type.list && f.choice.empty() && !check_required(*rec, f)) {
        return nullptr;
      }
    }
    r_.attach_unknown(*rec, unknown);
  }
  return rec;
}

bool FhirDecoder::field(abi::Record& record, const abi::FieldDesc& f, od::value& value, const Plan* child) {
  abi::Value& slot = record.slots[f.slot];
  if (present(slot)) return r_.fail(code::kDuplicateMember, "\"" + f.name + "\" appears twice");
  if (!f.choice.empty() && choice_conflict(record, f)) return false;
  char first = value.raw_json_token()[0];
  if (first == 'n') {
    if (!r_.check_null(value)) return false;
    return r_.fail(code::kNullNotAllowed, "\"" + f.name + "\" may not be null");
  }
  if (!f.type.list) return element(f.type, value, slot, false, child);
  if (first != '[') return r_.fail(code::kWrongType, "\"" + f.name + "\" is a list: expected an array");
  od::array array;
  if (auto e = value.get_array().get(array)) return r_.fail_simdjson(e);
  std::size_t frame;
  if (!r_.enter(frame)) return false;
  std::size_t mark = r_.list_mark();
  std::size_t index = 0;
  for (auto item : array) {
    od::value v;
    if (auto e = std::move(item).get(v)) return r_.fail_simdjson(e);
    r_.set_index(frame, index++);
    abi::Value out;
    if (!element(f.type, v, out, true, child)) return false;
    r_.list_push(out);
  }
  r_.leave(frame);
  slot = r_.list_take(mark);
  return true;
}

bool FhirDecoder::extension(abi::Record& record, const abi::FieldDesc& f, od::value& value) {
  abi::Value& slot = record.slots[f.extension_slot];
  if (present(slot)) return r_.fail(code::kDuplicateMember, "\"_" + f.name + "\" appears twice");
  if (!f.choice.empty() && choice_conflict(record, f)) return false;
  char first = value.raw_json_token()[0];
  if (first != (f.type.list ? '[' : '{'))
    return r_.fail(code::kWrongType,
                   std::string("\"_") + f.name + "\" must be " + (f.type.list ? "an array" : "an object"));
  std::string_view raw;
  if (!r_.read_raw(value, raw)) return false;
  slot.kind = Kind::Json;
  slot.text = raw.data();
  slot.aux = static_cast<std::uint32_t>(raw.size());
  return true;
}

bool FhirDecoder::element(const abi::TypeDesc& type, od::value& value, abi::Value& out, bool in_list,
                          const Plan* child) {
  char first = value.raw_json_token()[0];
  if (first == 'n') {
    if (!r_.check_null(value)) return false;
    // Only a primitive in a list may be null: its `_field` twin carries the data.
    if (!in_list || type.kind == Kind::Record || type.kind == Kind::Json)
      return r_.fail(code::kNullNotAllowed, "null is not allowed here");
    out.kind = Kind::Null;
    return true;
  }
  switch (type.kind) {
    case Kind::Bool: return r_.read_bool(value, out);
    case Kind::Int: return r_.read_integer(value, out);
    case Kind::Decimal: return r_.read_decimal(value, out);
    case Kind::String: return r_.read_string(value, out);
    case Kind::Date:
    case Kind::DateTime:
    case Kind::Time:
    case Kind::Instant: {
      if (!r_.read_string(value, out, type.kind)) return false;
      auto info = parse_fhir_temporal(type.kind, out.str());
      if (!info)
        return r_.fail(code::kBadDate, "\"" + std::string(out.str()) + "\" is not a valid FHIR " +
                                           (type.kind == Kind::Date       ? "date"
                                            : type.kind == Kind::DateTime ? "dateTime"
                                            : type.kind == Kind::Instant  ? "instant"
                                                                          : "time"));
      out.precision = info->precision;
      out.flags = info->has_offset ? abi::kHasOffset : 0;
      return true;
    }
    case Kind::Enum: return r_.read_enum(value, *type.enumeration, out);
    case Kind::Record: {
      if (first != '{') return r_.fail(code::kWrongType, "expected an object");
      od::object object;
      if (auto e = value.get_object().get(object)) return r_.fail_simdjson(e);
      abi::Record* rec = record(object, *type.record, child, true);
      if (rec == nullptr) return false;
      out.kind = Kind::Record;
      out.record = rec;
      return true;
    }
    case Kind::Duration: return r_.read_integer(value, out) && ((out.kind = Kind::Duration), true);
    default: {  // Json: resource-typed elements and anything the schema leaves open
      std::string_view raw;
      if (!r_.read_raw(value, raw)) return false;
      out.kind = Kind::Json;
      out.text = raw.data();
      out.aux = static_cast<std::uint32_t>(raw.size());
      return true;
    }
  }
}

// A choice group's kind slot gets the alternative that is present (valueQuantity →
// "Quantity"); it stays absent when none is.
void FhirDecoder::fill_choice_kind(abi::Record& record, const abi::FieldDesc& kind) {
  if (kind.type.enumeration == nullptr) return;
  for (const abi::FieldDesc& alternative : record.desc->fields) {
    if (alternative.choice_kind || alternative.choice != kind.choice) continue;
    bool set = present(record.slots[alternative.slot]) ||
               (alternative.extension_slot >= 0 && present(record.slots[alternative.extension_slot]));
    if (!set) continue;
    int index = kind.type.enumeration->index_of(std::string_view(alternative.name).substr(kind.choice.size()));
    if (index < 0) return;
    abi::Value& v = record.slots[kind.slot];
    v.kind = abi::Kind::Enum;
    v.aux = static_cast<std::uint32_t>(index);
    v.text = kind.type.enumeration->codes[static_cast<std::size_t>(index)].c_str();
    return;
  }
}

bool FhirDecoder::choice_conflict(const abi::Record& record, const abi::FieldDesc& f) {
  for (const abi::FieldDesc& other : record.desc->fields) {
    if (&other == &f || other.choice != f.choice || other.choice_kind) continue;
    bool set =
        present(record.slots[other.slot]) || (other.extension_slot >= 0 && present(record.slots[other.extension_slot]));
    if (set)
      return !r_.fail(code::kChoiceConflict, "\"" + f.name + "\" and \"" + other.name + "\" are both values of " +
                                                 f.choice + "[x]; at most one may be present");
  }
  return false;
}

// A required element (not optional, not a list, not part of a choice) must have a value or,
// for a primitive, at least its `_field` extension.
bool FhirDecoder::check_required(const abi::Record& record, const abi::FieldDesc& f) {
  if (present(record.slots[f.slot])) return true;
  if (f.extension_slot >= 0 && present(record.slots[f.extension_slot])) return true;
  return r_.fail(code::kMissingMember, "\"" + f.name + "\" is required in " + record.desc->name);
}

DecodeResult run(std::string_view json, bool padded, const abi::RecordDesc* root, const abi::SchemaSet* schemas,
                 Arena& arena, const DecodeOptions& options) {
  return decode_document(json, padded, arena, options, [&](Reader& reader, od::object& object) -> abi::Record* {
    if (root == nullptr) {
      // Find resourceType first; On-Demand can look a member up and rewind the object.
      std::size_t frame;
      reader.enter(frame);
      auto found = object.find_field_unordered("resourceType");
      if (found.error() == simdjson::NO_SUCH_FIELD) {
        reader.fail(code::kMissingResourceType, "a FHIR resource must carry resourceType");
      } else if (found.error()) {
        reader.fail_simdjson(found.error());
      } else {
        reader.set_key(frame, "resourceType");
        od::value value = found.value_unsafe();
        abi::Value text;
        if (!reader.read_string(value, text)) {
          // reported
        } else if ((root = schemas->resource(text.str())) == nullptr) {
          reader.fail(code::kUnknownResourceType, "no schema for resourceType \"" + std::string(text.str()) + "\"");
        } else if (auto e = object.reset().error()) {
          reader.fail_simdjson(e);
        }
      }
      reader.leave(frame);
    }
    if (reader.failed()) return nullptr;
    const Projection::Plan* plan = options.projection != nullptr ? options.projection->plan(*root) : nullptr;
    FhirDecoder decoder(reader, options.projection != nullptr);
    return decoder.record(object, *root, plan, true);
  });
}

}  // namespace

DecodeResult decode_fhir(std::string_view json, const abi::SchemaSet& schemas, Arena& arena,
                         const DecodeOptions& options) {
  return run(json, false, nullptr, &schemas, arena, options);
}

DecodeResult decode_fhir_as(std::string_view json, const abi::RecordDesc& root, Arena& arena,
                            const DecodeOptions& options) {
  return run(json, false, &root, nullptr, arena, options);
}

DecodeResult decode_fhir(PaddedInput json, const abi::SchemaSet& schemas, Arena& arena, const DecodeOptions& options) {
  return run(json.text, true, nullptr, &schemas, arena, options);
}

DecodeResult decode_fhir_as(PaddedInput json, const abi::RecordDesc& root, Arena& arena, const DecodeOptions& options) {
  return run(json.text, true, &root, nullptr, arena, options);
}

}  // namespace suture::runtime::json
