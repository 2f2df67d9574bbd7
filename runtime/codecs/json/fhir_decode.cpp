// fhir_decode.cpp — FHIR R4 JSON → abi::Record, walking the descriptors: exact decimals,
// primitive extensions (`_field`) kept raw in the field's extension slot, choice groups,
// required enum bindings, FHIR date/time syntax, resource-typed elements kept as raw JSON.
#include <utility>
#include <vector>

#include "runtime/codecs/json/reader.h"
#include "runtime/codecs/json/temporal.h"

namespace suture::runtime::json {
namespace {

using abi::Kind;

class FhirDecoder {
 public:
  explicit FhirDecoder(Reader& reader) : r_(reader) {}

  abi::Record* record(od::object& object, const abi::RecordDesc& desc, bool root);

 private:
  bool field(abi::Record& record, const abi::FieldDesc& f, od::value& value);
  bool extension(abi::Record& record, const abi::FieldDesc& f, od::value& value);
  bool element(const abi::TypeDesc& type, od::value& value, abi::Value& out, bool in_list);
  bool choice_conflict(const abi::Record& record, const abi::FieldDesc& f);
  void fill_choice_kinds(abi::Record& record);
  bool check_required(const abi::Record& record);

  Reader& r_;
};

bool present(const abi::Value& v) {
  return v.kind != Kind::Absent;
}

abi::Record* FhirDecoder::record(od::object& object, const abi::RecordDesc& desc, bool root) {
  abi::Record* rec = r_.new_record(desc);
  std::vector<abi::UnknownMember> unknown;
  bool saw_resource_type = false;
  for (auto member : object) {
    od::field fld;
    if (auto e = std::move(member).get(fld)) return r_.fail_simdjson(e), nullptr;
    std::string_view key;
    if (!r_.read_key(fld, key)) return nullptr;
    od::value value = fld.value();
    std::size_t saved = r_.push_key(key);
    if (key == "resourceType" && !desc.resource_type.empty()) {
      abi::Value type;
      if (!r_.read_string(value, type)) return nullptr;
      if (type.str() != desc.resource_type)
        return r_.fail(code::kResourceTypeMismatch, "expected resourceType \"" + desc.resource_type + "\", found \"" +
                                                        std::string(type.str()) + "\""),
               nullptr;
      saw_resource_type = true;
      r_.pop(saved);
      continue;
    }
    const abi::FieldDesc* f = desc.field(key);
    if (f != nullptr && f->choice_kind) f = nullptr;  // says which value[x] is present: never a member
    if (f == nullptr) {
      if (r_.options().unknown == Unknown::Reject)
        return r_.fail(code::kUnknownMember, "\"" + std::string(key) + "\" is not a member of " + desc.name), nullptr;
      std::string_view raw;
      if (!r_.read_raw(value, raw)) return nullptr;
      r_.keep_unknown(unknown, key, raw);
    } else if (key != f->name) {
      if (!extension(*rec, *f, value)) return nullptr;
    } else if (!field(*rec, *f, value)) {
      return nullptr;
    }
    r_.pop(saved);
  }
  if (root && !desc.resource_type.empty() && !saw_resource_type)
    return r_.fail(code::kMissingResourceType, "a " + desc.resource_type + " must carry resourceType"), nullptr;
  if (!check_required(*rec)) return nullptr;
  fill_choice_kinds(*rec);
  r_.attach_unknown(*rec, unknown);
  return rec;
}

bool FhirDecoder::field(abi::Record& record, const abi::FieldDesc& f, od::value& value) {
  abi::Value& slot = record.slots[f.slot];
  if (present(slot)) return r_.fail(code::kDuplicateMember, "\"" + f.name + "\" appears twice");
  if (!f.choice.empty() && choice_conflict(record, f)) return false;
  od::json_type type;
  if (!r_.read_type(value, type)) return false;
  if (type == od::json_type::null) return r_.fail(code::kNullNotAllowed, "\"" + f.name + "\" may not be null");
  if (!f.type.list) return element(f.type, value, slot, false);
  od::array array;
  if (type != od::json_type::array) return r_.fail(code::kWrongType, "\"" + f.name + "\" is a list: expected an array");
  if (auto e = value.get_array().get(array)) return r_.fail_simdjson(e);
  std::vector<abi::Value> items;
  std::size_t index = 0;
  for (auto item : array) {
    od::value v;
    if (auto e = std::move(item).get(v)) return r_.fail_simdjson(e);
    std::size_t saved = r_.push_index(index++);
    items.emplace_back();
    if (!element(f.type, v, items.back(), true)) return false;
    r_.pop(saved);
  }
  slot = r_.make_list(items);
  return true;
}

// `_field`: an object (or, for a list, an array of objects and nulls parallel to the values).
bool FhirDecoder::extension(abi::Record& record, const abi::FieldDesc& f, od::value& value) {
  abi::Value& slot = record.slots[f.extension_slot];
  if (present(slot)) return r_.fail(code::kDuplicateMember, "\"_" + f.name + "\" appears twice");
  if (!f.choice.empty() && choice_conflict(record, f)) return false;
  od::json_type type;
  if (!r_.read_type(value, type)) return false;
  od::json_type expected = f.type.list ? od::json_type::array : od::json_type::object;
  if (type != expected)
    return r_.fail(code::kWrongType,
                   std::string("\"_") + f.name + "\" must be " + (f.type.list ? "an array" : "an object"));
  std::string_view raw;
  if (!r_.read_raw(value, raw)) return false;
  slot.kind = Kind::Json;
  slot.text = raw.data();
  slot.aux = static_cast<std::uint32_t>(raw.size());
  return true;
}

bool FhirDecoder::element(const abi::TypeDesc& type, od::value& value, abi::Value& out, bool in_list) {
  od::json_type json_type;
  if (!r_.read_type(value, json_type)) return false;
  if (json_type == od::json_type::null) {
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
      if (json_type != od::json_type::object) return r_.fail(code::kWrongType, "expected an object");
      od::object object;
      if (auto e = value.get_object().get(object)) return r_.fail_simdjson(e);
      abi::Record* rec = record(object, *type.record, true);
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

// Each choice group's kind slot gets the alternative that is present (valueQuantity →
// "Quantity"); it stays absent when none is.
void FhirDecoder::fill_choice_kinds(abi::Record& record) {
  for (const abi::FieldDesc& kind : record.desc->fields) {
    if (!kind.choice_kind || kind.type.enumeration == nullptr) continue;
    for (const abi::FieldDesc& alternative : record.desc->fields) {
      if (alternative.choice_kind || alternative.choice != kind.choice) continue;
      bool set = present(record.slots[alternative.slot]) ||
                 (alternative.extension_slot >= 0 && present(record.slots[alternative.extension_slot]));
      if (!set) continue;
      int index = kind.type.enumeration->index_of(std::string_view(alternative.name).substr(kind.choice.size()));
      if (index < 0) break;
      abi::Value& v = record.slots[kind.slot];
      v.kind = abi::Kind::Enum;
      v.aux = static_cast<std::uint32_t>(index);
      v.text = kind.type.enumeration->codes[static_cast<std::size_t>(index)].c_str();
      break;
    }
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
bool FhirDecoder::check_required(const abi::Record& record) {
  for (const abi::FieldDesc& f : record.desc->fields) {
    if (f.type.optional || f.type.list || !f.choice.empty()) continue;
    if (present(record.slots[f.slot])) continue;
    if (f.extension_slot >= 0 && present(record.slots[f.extension_slot])) continue;
    return r_.fail(code::kMissingMember, "\"" + f.name + "\" is required in " + record.desc->name);
  }
  return true;
}

DecodeResult run(std::string_view json, const abi::RecordDesc* root, const abi::SchemaSet* schemas, Arena& arena,
                 const DecodeOptions& options) {
  DecodeResult result;
  try {
    Reader reader(arena, options);
    od::object object;
    if (reader.open(json, object)) {
      if (root == nullptr) {
        // Find resourceType first; On-Demand can look a member up and rewind the object.
        std::string_view type;
        auto found = object.find_field_unordered("resourceType");
        if (found.error() == simdjson::NO_SUCH_FIELD) {
          reader.fail(code::kMissingResourceType, "a FHIR resource must carry resourceType");
        } else if (auto e = found.get_string().get(type)) {
          reader.push_key("resourceType");
          reader.fail_simdjson(e);
        } else if ((root = schemas->resource(type)) == nullptr) {
          reader.push_key("resourceType");
          reader.fail(code::kUnknownResourceType, "no schema for resourceType \"" + std::string(type) + "\"");
        } else if (auto e2 = object.reset().error()) {
          reader.fail_simdjson(e2);
        }
      }
      if (!reader.failed()) {
        FhirDecoder decoder(reader);
        abi::Record* record = decoder.record(object, *root, true);
        if (record != nullptr) result.record = record;
      }
    }
    if (reader.failed()) result.error = reader.take_error();
  } catch (const std::bad_alloc&) {
    result.record = nullptr;
    result.error = DecodeError{code::kOutOfMemory, "$", "out of memory"};
  }
  return result;
}

}  // namespace

DecodeResult decode_fhir(std::string_view json, const abi::SchemaSet& schemas, Arena& arena,
                         const DecodeOptions& options) {
  return run(json, nullptr, &schemas, arena, options);
}

DecodeResult decode_fhir_as(std::string_view json, const abi::RecordDesc& root, Arena& arena,
                            const DecodeOptions& options) {
  return run(json, &root, nullptr, arena, options);
}

}  // namespace suture::runtime::json
