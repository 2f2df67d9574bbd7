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

using Plan = Projection::Plan;

const Plan kNothing{};  // under a projection, a record none of whose fields is needed

class OdooDecoder {
 public:
  OdooDecoder(Reader& reader, bool projected) : r_(reader), projected_(projected) {}

  abi::Record* record(od::object& object, const abi::RecordDesc& desc, const Plan* plan);

 private:
  bool field(abi::Record& record, const abi::FieldDesc& f, od::value& value, const Plan* child);
  bool element(const abi::TypeDesc& type, od::value& value, abi::Value& out, const Plan* child);
  bool many2one(abi::Record& record, const abi::FieldDesc& f, od::value& value);

  Reader& r_;
  bool projected_;
};

abi::Record* OdooDecoder::record(od::object& object, const abi::RecordDesc& desc, const Plan* plan) {
  if (projected_ && plan == nullptr) plan = &kNothing;
  abi::Record* rec = r_.new_record(desc);
  std::size_t frame;
  if (!r_.enter(frame)) return nullptr;
  std::size_t unknown = r_.unknown_mark();
  for (auto member : object) {
    od::field fld;
    if (auto e = std::move(member).get(fld)) return r_.fail_simdjson(e), nullptr;
    std::string_view key;
    bool in_input;
    if (!r_.read_key(fld, key, in_input)) return nullptr;
    r_.set_key(frame, key);
    od::value value = fld.value();
    const abi::FieldDesc* f = nullptr;
    const Plan* child = nullptr;
    if (projected_) {
      const Plan::Member* m = in_input ? plan->find_padded(key) : plan->find(key);
      if (m != nullptr && !m->extension) {
        f = &desc.fields[m->field];
        child = plan->child[m->field];
      } else if (key != "_model") {
        continue;  // not read by any rule: skipped, never decoded
      }
    } else {
      f = desc.field(key);
      if (f != nullptr && f->name != key) f = nullptr;  // `_name` is a FHIR spelling, not Odoo's
    }
    if (f == nullptr) {
      if (is_webhook_metadata(key)) {
        if (key == "_model") {
          abi::Value model;
          if (!r_.read_string(value, model)) return nullptr;
          if (!desc.model.empty() && model.str() != desc.model)
            return r_.fail(code::kModelMismatch,
                           "expected model \"" + desc.model + "\", found \"" + std::string(model.str()) + "\""),
                   nullptr;
          if (projected_) continue;
        }
      } else if (r_.options().unknown == Unknown::Reject) {
        return r_.fail(code::kUnknownMember, "\"" + std::string(key) + "\" is not a field of " +
                                                 (desc.model.empty() ? desc.name : desc.model)),
               nullptr;
      }
      std::string_view raw;
      if (!r_.read_raw(value, raw)) return nullptr;
      r_.keep_unknown(key, raw);
    } else if (!field(*rec, *f, value, child)) {
      return nullptr;
    }
  }
  r_.leave(frame);
  r_.attach_unknown(*rec, unknown);
  return rec;
}

bool OdooDecoder::field(abi::Record& record, const abi::FieldDesc& f, od::value& value, const Plan* child) {
  abi::Value& slot = record.slots[f.slot];
  if (slot.kind != Kind::Absent) return r_.fail(code::kDuplicateMember, "\"" + f.name + "\" appears twice");
  char first = value.raw_json_token()[0];
  if (first == 'n') return r_.check_null(value);
  if ((first == 't' || first == 'f') && f.type.kind != Kind::Bool) {
    abi::Value b;
    if (!r_.read_bool(value, b)) return false;
    if (!b.boolean) return true;  // Odoo's `false`: no value
    return r_.fail(code::kWrongType, "\"" + f.name + "\" is not a boolean: only false (no value) is allowed");
  }
  if (f.type.odoo_id && !f.type.list) return many2one(record, f, value);
  if (!f.type.list) return element(f.type, value, slot, child);
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
    if (!element(f.type, v, out, child)) return false;
    r_.list_push(out);
  }
  r_.leave(frame);
  slot = r_.list_take(mark);
  return true;
}

// A bare id, or [id, "display name"].
bool OdooDecoder::many2one(abi::Record& record, const abi::FieldDesc& f, od::value& value) {
  char first = value.raw_json_token()[0];
  if (first == '-' || (first >= '0' && first <= '9')) return r_.read_integer(value, record.slots[f.slot]);
  if (first != '[')
    return r_.fail(code::kWrongType, "\"" + f.name + "\" is a many2one: expected an id or [id, \"name\"]");
  od::array array;
  if (auto e = value.get_array().get(array)) return r_.fail_simdjson(e);
  std::size_t frame;
  if (!r_.enter(frame)) return false;
  std::size_t index = 0;
  abi::Value id, name;
  for (auto item : array) {
    od::value v;
    if (auto e = std::move(item).get(v)) return r_.fail_simdjson(e);
    r_.set_index(frame, index);
    if (index == 0 && !r_.read_integer(v, id)) return false;
    if (index == 1 && !r_.read_string(v, name)) return false;
    if (index > 1) return r_.fail(code::kWrongType, "a many2one pair has two elements");
    ++index;
  }
  r_.leave(frame);
  if (index != 2) return r_.fail(code::kWrongType, "\"" + f.name + "\" is a many2one: expected [id, \"name\"]");
  record.slots[f.slot] = id;
  if (f.extension_slot >= 0) record.slots[f.extension_slot] = name;
  return true;
}

bool OdooDecoder::element(const abi::TypeDesc& type, od::value& value, abi::Value& out, const Plan* child) {
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
      // Odoo's naive datetimes are UTC: held in the canonical ISO form with `Z`, so they compare
      // with FHIR date-times and are written correctly to FHIR (the Odoo encoders write them back).
      if ((type.kind == Kind::DateTime || type.kind == Kind::Instant) && !(out.flags & abi::kHasOffset) &&
          out.aux > 10 && out.text[10] == ' ') {
        std::string iso = to_fhir_temporal(out);
        out.text = r_.arena().copy(iso.data(), iso.size());
        out.aux = static_cast<std::uint32_t>(iso.size());
        out.flags = abi::kHasOffset;
      }
      return true;
    }
    case Kind::Enum: return r_.read_enum(value, *type.enumeration, out);
    case Kind::Record: {
      if (value.raw_json_token()[0] != '{') return r_.fail(code::kWrongType, "expected an object");
      od::object object;
      if (auto e = value.get_object().get(object)) return r_.fail_simdjson(e);
      abi::Record* rec = record(object, *type.record, child);
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

DecodeResult run(std::string_view json, bool padded, const abi::RecordDesc& model, Arena& arena,
                 const DecodeOptions& options) {
  return decode_document(json, padded, arena, options, [&](Reader& reader, od::object& object) {
    const Projection::Plan* plan = options.projection != nullptr ? options.projection->plan(model) : nullptr;
    OdooDecoder decoder(reader, options.projection != nullptr);
    return decoder.record(object, model, plan);
  });
}

}  // namespace

DecodeResult decode_odoo(std::string_view json, const abi::RecordDesc& model, Arena& arena,
                         const DecodeOptions& options) {
  return run(json, false, model, arena, options);
}

DecodeResult decode_odoo(PaddedInput json, const abi::RecordDesc& model, Arena& arena, const DecodeOptions& options) {
  return run(json.text, true, model, arena, options);
}

}  // namespace suture::runtime::json
