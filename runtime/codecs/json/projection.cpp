// projection.cpp — building a Projection: which fields of which records the decoders fill
// (runtime/codecs/json). Plans are built once, before decoding, and only read afterwards.
#include <algorithm>
#include <cstring>

#include "runtime/codecs/json/json.h"

namespace suture::runtime::json {

Projection::Plan& Projection::plan_for(const abi::RecordDesc& record) {
  auto [it, added] = plans_.try_emplace(&record);
  Plan& plan = it->second;
  if (added) {
    plan.desc = &record;
    plan.needed.assign(record.fields.size(), false);
    plan.child.assign(record.fields.size(), nullptr);
  }
  return plan;
}

void Projection::mark(Plan& plan, std::uint32_t field) {
  if (plan.needed[field]) return;
  plan.needed[field] = true;
  const abi::FieldDesc& f = plan.desc->fields[field];
  auto add_member = [&plan, field](std::string name, bool extension) {
    std::size_t size = name.size();
    plan.sizes |= size < 63 ? (std::uint64_t{1} << size) : (std::uint64_t{1} << 63);
    Plan::Member m;
    std::memcpy(m.head, name.data(), std::min<std::size_t>(name.size(), 16));  // little-endian words, as loaded
    m.name = std::move(name);
    m.field = field;
    m.extension = extension;
    plan.members.push_back(std::move(m));
  };
  if (f.choice_kind) {
    plan.choice_kinds.push_back(field);
  } else {
    add_member(f.name, false);
    if (f.has_extension) add_member("_" + f.name, true);
    if (!f.type.optional && !f.type.list && f.choice.empty()) plan.required.push_back(field);
    if (f.type.kind == abi::Kind::Record && f.type.record != nullptr && !f.type.odoo_id)
      plan.child[field] = &plan_for(*f.type.record);  // map nodes are stable: `plan` stays valid
  }
  // A choice group is needed whole, so its kind is filled as in a full decode.
  if (!f.choice.empty())
    for (std::uint32_t i = 0; i < plan.desc->fields.size(); ++i)
      if (plan.desc->fields[i].choice == f.choice) mark(plan, i);
}

void Projection::need(const abi::RecordDesc& record, std::uint32_t field) {
  if (field < record.fields.size()) mark(plan_for(record), field);
}

bool Projection::need_path(const abi::RecordDesc& record, std::string_view dotted) {
  const abi::RecordDesc* at = &record;
  while (true) {
    std::size_t dot = dotted.find('.');
    std::string_view step = dotted.substr(0, dot);
    if (at == nullptr) return false;
    const abi::FieldDesc* f = at->field(step);
    if (f == nullptr || f->name != step) return false;
    need(*at, static_cast<std::uint32_t>(f - at->fields.data()));
    if (dot == std::string_view::npos) return true;
    dotted.remove_prefix(dot + 1);
    at = f->type.kind == abi::Kind::Record && !f->type.odoo_id ? f->type.record : nullptr;
  }
}

void Projection::need_all(const abi::RecordDesc& record) {
  Plan& plan = plan_for(record);
  for (std::uint32_t i = 0; i < record.fields.size(); ++i) mark(plan, i);
  if (plan.all) return;
  plan.all = true;
  for (const abi::FieldDesc& f : record.fields)
    if (f.type.kind == abi::Kind::Record && f.type.record != nullptr && !f.type.odoo_id) need_all(*f.type.record);
}

const Projection::Plan* Projection::plan(const abi::RecordDesc& record) const {
  auto it = plans_.find(&record);
  return it == plans_.end() ? nullptr : &it->second;
}

}  // namespace suture::runtime::json
