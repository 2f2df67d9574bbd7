// odoo_decode.cpp — Odoo JSON (a read() record or a webhook body) → abi::Record. Odoo's
// conventions are handled here, not by users: `false` (or null) means absent for every
// non-boolean field; a many2one is a bare id (webhooks) or [id, "display name"] (read), the
// name going to the field's extension slot; x2many fields are lists of ids; dates and
// datetimes are Odoo's naive UTC text. Webhook metadata (`_action`, `_id`, `_model`) is always
// accepted and kept as unknown members, whatever DecodeOptions::unknown says; `_model` must
// name the descriptor's model.
#include <utility>
#include <vector>

#include "runtime/codecs/json/reader.h"
#include "runtime/codecs/json/temporal.h"

namespace suture::runtime::json {
namespace {

using abi::Kind;

bool is_webhook_metadata(std::string_view key) {
  return key == "_action" || key == "_id" || key == "_model";
}

class OdooDecoder {
 public:
  explicit OdooDecoder(Reader& reader) : r_(reader) {}

  abi::Record* record(od::object& object, const abi::RecordDesc& desc);

 private:
  bool field(abi::Record& record, const abi::FieldDesc& f, od::value& value);
  bool element(const abi::TypeDesc& type, od::value& value, abi::Value& out);
  bool many2one(abi::Record& record, const abi::FieldDesc& f, od::value& value);

  Reader& r_;
};

abi::Record* OdooDecoder::record(od::object& object, const abi::RecordDesc& desc) {
  abi::Record* rec = r_.new_record(desc);
  std::vector<abi::UnknownMember> unknown;
  for (auto member : object) {
    od::field fld;
    if (auto e = std::move(member).get(fld)) return r_.fail_simdjson(e), nullptr;
    std::string_view key;
    if (!r_.read_key(fld, key)) return nullptr;
    od::value value = fld.value();
    std::size_t saved = r_.push_key(key);
    const abi::FieldDesc* f = desc.field(key);
    if (f != nullptr && f->name != key) f = nullptr;  // `_name` is a FHIR spelling, not Odoo's
    if (f == nullptr) {
      if (is_webhook_metadata(key)) {
        if (key == "_model") {
          abi::Value model;
          if (!r_.read_string(value, model)) return nullptr;
          if (!desc.model.empty() && model.str() != desc.model)
            return r_.fail(code::kModelMismatch,
                           "expected model \"" + desc.model + "\", found \"" + std::string(model.str()) + "\""),
                   nullptr;
        }
      } else if (r_.options().unknown == Unknown::Reject) {
        return r_.fail(code::kUnknownMember, "\"" + std::string(key) + "\" is not a field of " +
                                                 (desc.model.empty() ? desc.name : desc.model)),
               nullptr;
      }
      std::string_view raw;
      if (!r_.read_raw(value, raw)) return nullptr;
      r_.keep_unknown(unknown, key, raw);
    } else if (!field(*rec, *f, value)) {
      return nullptr;
    }
    r_.pop(saved);
  }
  r_.attach_unknown(*rec, unknown);
  return rec;
}

bool OdooDecoder::field(abi::Record& record, const abi::FieldDesc& f, od::value& value) {
  abi::Value& slot = record.slots[f.slot];
  if (slot.kind != Kind::Absent) return r_.fail(code::kDuplicateMember, "\"" + f.name + "\" appears twice");
  od::json_type type;
  if (!r_.read_type(value, type)) return false;
  if (type == od::json_type::null) return true;
  if (type == od::json_type::boolean && f.type.kind != Kind::Bool) {
    bool b = true;
    if (auto e = value.get_bool().get(b)) return r_.fail_simdjson(e);
    if (!b) return true;  // Odoo's `false`: no value
    return r_.fail(code::kWrongType, "\"" + f.name + "\" is not a boolean: only false (no value) is allowed");
  }
  if (f.type.odoo_id && !f.type.list) return many2one(record, f, value);
  if (!f.type.list) return element(f.type, value, slot);
  if (type != od::json_type::array) return r_.fail(code::kWrongType, "\"" + f.name + "\" is a list: expected an array");
  od::array array;
  if (auto e = value.get_array().get(array)) return r_.fail_simdjson(e);
  std::vector<abi::Value> items;
  std::size_t index = 0;
  for (auto item : array) {
    od::value v;
    if (auto e = std::move(item).get(v)) return r_.fail_simdjson(e);
    std::size_t saved = r_.push_index(index++);
    items.emplace_back();
    if (!element(f.type, v, items.back())) return false;
    r_.pop(saved);
  }
  slot = r_.make_list(items);
  return true;
}

// A bare id, or [id, "display name"].
bool OdooDecoder::many2one(abi::Record& record, const abi::FieldDesc& f, od::value& value) {
  od::json_type type;
  if (!r_.read_type(value, type)) return false;
  if (type == od::json_type::number) return r_.read_integer(value, record.slots[f.slot]);
  if (type != od::json_type::array)
    return r_.fail(code::kWrongType, "\"" + f.name + "\" is a many2one: expected an id or [id, \"name\"]");
  od::array array;
  if (auto e = value.get_array().get(array)) return r_.fail_simdjson(e);
  std::size_t index = 0;
  abi::Value id, name;
  for (auto item : array) {
    od::value v;
    if (auto e = std::move(item).get(v)) return r_.fail_simdjson(e);
    std::size_t saved = r_.push_index(index);
    if (index == 0 && !r_.read_integer(v, id)) return false;
    if (index == 1 && !r_.read_string(v, name)) return false;
    if (index > 1) return r_.fail(code::kWrongType, "a many2one pair has two elements");
    r_.pop(saved);
    ++index;
  }
  if (index != 2) return r_.fail(code::kWrongType, "\"" + f.name + "\" is a many2one: expected [id, \"name\"]");
  record.slots[f.slot] = id;
  if (f.extension_slot >= 0) record.slots[f.extension_slot] = name;
  return true;
}

bool OdooDecoder::element(const abi::TypeDesc& type, od::value& value, abi::Value& out) {
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
      // A field declared without @format("odoo") still arrives in Odoo's syntax; accept FHIR's too.
      auto info = parse_odoo_temporal(type.kind, out.str());
      if (!info) info = parse_fhir_temporal(type.kind, out.str());
      if (!info)
        return r_.fail(code::kBadDate,
                       "\"" + std::string(out.str()) + "\" is not an Odoo " +
                           (type.kind == Kind::Date ? "date (YYYY-MM-DD)" : "datetime (YYYY-MM-DD HH:MM:SS)"));
      out.precision = info->precision;
      out.flags = info->has_offset ? abi::kHasOffset : 0;
      return true;
    }
    case Kind::Enum: return r_.read_enum(value, *type.enumeration, out);
    case Kind::Record: {
      od::json_type json_type;
      if (!r_.read_type(value, json_type)) return false;
      if (json_type != od::json_type::object) return r_.fail(code::kWrongType, "expected an object");
      od::object object;
      if (auto e = value.get_object().get(object)) return r_.fail_simdjson(e);
      abi::Record* rec = record(object, *type.record);
      if (rec == nullptr) return false;
      out.kind = Kind::Record;
      out.record = rec;
      return true;
    }
    default: {
      std::string_view raw;
      if (!r_.read_raw(value, raw)) return false;
      out.kind = Kind::Json;
      out.text = raw.data();
      out.aux = static_cast<std::uint32_t>(raw.size());
      return true;
    }
  }
}

}  // namespace

DecodeResult decode_odoo(std::string_view json, const abi::RecordDesc& model, Arena& arena,
                         const DecodeOptions& options) {
  DecodeResult result;
  try {
    Reader reader(arena, options);
    od::object object;
    if (reader.open(json, object)) {
      OdooDecoder decoder(reader);
      abi::Record* record = decoder.record(object, model);
      if (record != nullptr) result.record = record;
    }
    if (reader.failed()) result.error = reader.take_error();
  } catch (const std::bad_alloc&) {
    result.record = nullptr;
    result.error = DecodeError{code::kOutOfMemory, "$", "out of memory"};
  }
  return result;
}

}  // namespace suture::runtime::json
