// module.cpp — interning of IR types (equal types are the same pointer) and their display.
#include <tuple>

#include "compiler/ir/ir.h"

namespace suture::ir {

const Type* Module::type(Type t) {
  auto key = std::make_tuple(static_cast<int>(t.kind), t.optional, t.fallible, static_cast<const void*>(t.element),
                             static_cast<const void*>(t.record), static_cast<const void*>(t.enumeration), t.odoo_id);
  if (auto it = interned_.find(key); it != interned_.end()) return it->second;
  const Type* stored = &types_.emplace_back(t);
  interned_.emplace(key, stored);
  return stored;
}

const Type* Module::scalar(TypeKind kind, bool optional) {
  Type t;
  t.kind = kind;
  t.optional = optional;
  return type(t);
}

const Type* Module::optional(const Type* t) {
  if (t->optional || t->kind == TypeKind::Null || t->kind == TypeKind::Never) return t;
  Type copy = *t;
  copy.optional = true;
  copy.fallible = false;
  return type(copy);
}

const Type* Module::plain(const Type* t) {
  if (!t->optional && !t->fallible) return t;
  Type copy = *t;
  copy.optional = false;
  copy.fallible = false;
  return type(copy);
}

const Type* Module::list(const Type* element) {
  Type t;
  t.kind = TypeKind::List;
  t.element = element;
  return type(t);
}

std::string display(const Type* t) {
  if (t == nullptr) return "?unknown";
  std::string s;
  switch (t->kind) {
    case TypeKind::Null: s = "null"; break;
    case TypeKind::Never: s = "never"; break;
    case TypeKind::Bool: s = "bool"; break;
    case TypeKind::Int: s = t->odoo_id && t->record ? "id<" + t->record->name + ">" : "int"; break;
    case TypeKind::Decimal: s = "decimal"; break;
    case TypeKind::String: s = "string"; break;
    case TypeKind::Date: s = "date"; break;
    case TypeKind::DateTime: s = "datetime"; break;
    case TypeKind::Time: s = "time"; break;
    case TypeKind::Instant: s = "instant"; break;
    case TypeKind::Duration: s = "duration"; break;
    case TypeKind::Json: s = "json"; break;
    case TypeKind::Enum: s = t->enumeration ? t->enumeration->name : "enum"; break;
    case TypeKind::Record: s = t->record ? t->record->name : "record"; break;
    case TypeKind::List: s = "list<" + display(t->element) + ">"; break;
  }
  if (t->optional) s += "?";
  if (t->fallible) s += "!";
  return s;
}

const char* to_string(RuleKind kind) {
  switch (kind) {
    case RuleKind::Permit: return "permit";
    case RuleKind::Forbid: return "forbid";
    case RuleKind::Redact: return "redact";
    case RuleKind::Mask: return "mask";
    case RuleKind::Generalise: return "generalise";
    case RuleKind::Pseudonymise: return "pseudonymise";
  }
  return "?";
}

const char* to_string(Op op) {
  switch (op) {
    case Op::Const: return "const";
    case Op::Local: return "local";
    case Op::Let: return "let";
    case Op::If: return "if";
    case Op::Field: return "field";
    case Op::Index: return "index";
    case Op::Coalesce: return "coalesce";
    case Op::Fail: return "fail";
    case Op::Not: return "not";
    case Op::And: return "and";
    case Op::Or: return "or";
    case Op::Eq: return "eq";
    case Op::Ne: return "ne";
    case Op::Lt: return "lt";
    case Op::Le: return "le";
    case Op::Gt: return "gt";
    case Op::Ge: return "ge";
    case Op::Add: return "add";
    case Op::Sub: return "sub";
    case Op::Mul: return "mul";
    case Op::Div: return "div";
    case Op::Mod: return "mod";
    case Op::Neg: return "neg";
    case Op::Concat: return "concat";
    case Op::Call: return "call";
    case Op::Table: return "table";
    case Op::ListLit: return "list";
    case Op::RecordLit: return "record";
    case Op::First: return "first";
    case Op::Last: return "last";
    case Op::Any: return "any";
    case Op::All: return "all";
    case Op::Count: return "count";
    case Op::Filter: return "filter";
    case Op::Map: return "map";
    case Op::FlatMap: return "flat_map";
    case Op::Size: return "size";
    case Op::IsEmpty: return "is_empty";
    case Op::Contains: return "contains";
    case Op::Sum: return "sum";
    case Op::Min: return "min";
    case Op::Max: return "max";
    case Op::Distinct: return "distinct";
    case Op::Take: return "take";
    case Op::Skip: return "skip";
    case Op::IsPresent: return "present";
    case Op::Invoke: return "invoke";
    case Op::Sort: return "sort";
    case Op::SortBy: return "sort_by";
    case Op::MinBy: return "min_by";
    case Op::MaxBy: return "max_by";
  }
  return "?";
}

pack::DataFormat wire_format(const Type* t) {
  if (t == nullptr || t->kind != TypeKind::Record || t->record == nullptr) return pack::DataFormat::Json;
  if (!t->record->resource_type.empty()) return pack::DataFormat::Fhir;
  if (!t->record->model.empty()) return pack::DataFormat::Odoo;
  if (!t->record->messages.empty()) return pack::DataFormat::Hl7v2;
  return pack::DataFormat::Json;
}

}  // namespace suture::ir
