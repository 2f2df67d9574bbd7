// odoo_encode.cpp — abi::Record → the `vals` dict of Odoo's create/write. Present, writable
// fields only: readonly fields are never written, an explicit Null clears (`false`), a
// many2one is its id, an x2many replaces the whole set ([[6, 0, [ids]]]), decimals are written
// from their text and dates/datetimes in Odoo's naive UTC form. encode_odoo_row writes a whole
// record the way read() returns it.
#include "runtime/codecs/json/json.h"
#include "runtime/codecs/json/temporal.h"
#include "runtime/codecs/json/writer.h"

namespace suture::runtime::json {
namespace {

using abi::Kind;

void write_vals(std::string& out, const abi::Record& record);
void write_row(std::string& out, const abi::Record& record);

// One value in Odoo's JSON; `nested` writes a record held in it (as vals or as a row).
using RecordWriter = void (*)(std::string&, const abi::Record&);
void write_value(std::string& out, const abi::TypeDesc& type, const abi::Value& v, RecordWriter nested) {
  if (write_common(out, type, v, "false")) return;
  switch (v.kind) {
    case Kind::Time: write_string(out, v.str()); break;
    case Kind::Date:
    case Kind::DateTime:
    case Kind::Instant: write_string(out, to_odoo_temporal(v)); break;
    case Kind::Record: nested(out, *v.record); break;
    case Kind::List:
      out += '[';
      for (std::uint32_t i = 0; i < v.aux; ++i) {
        if (i != 0) out += ',';
        write_value(out, type, v.items[i], nested);
      }
      out += ']';
      break;
    default: out += "false"; break;  // absent or null: Odoo's empty value
  }
}

void write_vals(std::string& out, const abi::Record& record) {
  bool first = true;
  out += '{';
  for (const abi::FieldDesc& f : record.desc->fields) {
    const abi::Value& v = record.slots[f.slot];
    if (f.readonly || v.kind == Kind::Absent) continue;
    write_key(out, f.name, first);
    if (f.type.odoo_id && f.type.list) {
      out += "[[6,0,";
      if (v.kind == Kind::List)
        write_value(out, f.type, v, write_vals);
      else
        out += "[]";  // Null: replace with nothing
      out += "]]";
    } else {
      write_value(out, f.type, v, write_vals);
    }
  }
  out += '}';
}

// A read() row: every field, `false` for no value.
void write_row(std::string& out, const abi::Record& record) {
  bool first = true;
  out += '{';
  for (const abi::FieldDesc& f : record.desc->fields) {
    if (f.choice_kind) continue;  // not a member of the message
    const abi::Value& v = record.slots[f.slot];
    write_key(out, f.name, first);
    if (f.type.odoo_id && !f.type.list && v.kind == Kind::Int && f.extension_slot >= 0 &&
        record.slots[f.extension_slot].kind == Kind::String) {
      out += '[';  // a many2one with its display name, as read() returns it
      write_integer(out, v.integer);
      out += ',';
      write_string(out, record.slots[f.extension_slot].str());
      out += ']';
    } else {
      write_value(out, f.type, v, write_row);
    }
  }
  out += '}';
}

}  // namespace

void encode_odoo_row(const abi::Record& record, std::string& out) {
  write_row(out, record);
}

void encode_odoo_values(const abi::Record& record, std::string& out) {
  write_vals(out, record);
}

}  // namespace suture::runtime::json
