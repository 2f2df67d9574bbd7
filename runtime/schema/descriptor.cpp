// descriptor.cpp — lookups over schema descriptors and slot assignment.
#include "runtime/schema/descriptor.h"

namespace suture::abi {

int EnumDesc::index_of(std::string_view code) const {
  for (std::size_t i = 0; i < codes.size(); ++i)
    if (codes[i] == code) return static_cast<int>(i);
  return -1;
}

const FieldDesc* RecordDesc::field(std::string_view member) const {
  auto it = by_name.find(member);
  return it == by_name.end() ? nullptr : &fields[it->second];
}

RecordDesc& SchemaSet::add_record(std::string name) {
  RecordDesc& r = records_.emplace_back();
  r.name = std::move(name);
  return r;
}

EnumDesc& SchemaSet::add_enum(std::string name) {
  EnumDesc& e = enums_.emplace_back();
  e.name = std::move(name);
  return e;
}

const RecordDesc* SchemaSet::record(std::string_view name) const {
  auto it = record_by_name_.find(std::string(name));
  return it == record_by_name_.end() ? nullptr : it->second;
}

const RecordDesc* SchemaSet::resource(std::string_view resource_type) const {
  auto it = record_by_resource_.find(std::string(resource_type));
  return it == record_by_resource_.end() ? nullptr : it->second;
}

const EnumDesc* SchemaSet::enumeration(std::string_view name) const {
  auto it = enum_by_name_.find(std::string(name));
  return it == enum_by_name_.end() ? nullptr : it->second;
}

void SchemaSet::finish() {
  for (RecordDesc& r : records_) {
    record_by_name_[r.name] = &r;
    if (!r.resource_type.empty()) record_by_resource_[r.resource_type] = &r;
    r.by_name.clear();
    std::uint32_t slot = 0;
    for (std::uint32_t i = 0; i < r.fields.size(); ++i) {
      r.fields[i].slot = slot++;
      r.by_name[r.fields[i].name] = i;
    }
    for (FieldDesc& f : r.fields) {
      f.extension_slot = f.has_extension ? static_cast<std::int32_t>(slot++) : -1;
      if (f.has_extension) r.by_name["_" + f.name] = static_cast<std::uint32_t>(&f - r.fields.data());
    }
    r.slot_count = slot;
  }
  for (EnumDesc& e : enums_) enum_by_name_[e.name] = &e;
}

}  // namespace suture::abi
