// types.cpp — interning, display, assignability and joins of Suture types.
#include "compiler/sema/types.h"

namespace suture::sema {

const FieldInfo* RecordInfo::field(const std::string& n) const {
  for (const auto& f : fields)
    if (f.name == n) return &f;
  return nullptr;
}

bool EnumInfo::has(const std::string& member) const {
  for (const auto& m : members)
    if (m == member) return true;
  return false;
}

bool EnumInfo::ordered() const {
  if (decl == nullptr) return false;
  for (const auto& a : decl->annotations)
    if (a.name.text == "ordered") return true;
  return false;
}

namespace {
// A type of this kind around `inner` (designated members only: the rest keep their defaults).
Type shape(TypeKind kind, const Type* inner = nullptr) {
  Type t;
  t.kind = kind;
  t.inner = inner;
  return t;
}
}  // namespace

TypeTable::TypeTable() {
  auto scalar_type = [&](TypeKind k) { return make(shape(k)); };
  error_ = scalar_type(TypeKind::Error);
  never_ = scalar_type(TypeKind::Never);
  null_ = scalar_type(TypeKind::Null);
  bool_ = scalar_type(TypeKind::Bool);
  int_ = scalar_type(TypeKind::Int);
  decimal_ = scalar_type(TypeKind::Decimal);
  string_ = scalar_type(TypeKind::String);
  date_ = scalar_type(TypeKind::Date);
  datetime_ = scalar_type(TypeKind::DateTime);
  time_ = scalar_type(TypeKind::Time);
  instant_ = scalar_type(TypeKind::Instant);
  duration_ = scalar_type(TypeKind::Duration);
  json_ = scalar_type(TypeKind::Json);
}

const Type* TypeTable::scalar(TypeKind kind) const {
  switch (kind) {
    case TypeKind::Bool: return bool_;
    case TypeKind::Int: return int_;
    case TypeKind::Decimal: return decimal_;
    case TypeKind::String: return string_;
    case TypeKind::Date: return date_;
    case TypeKind::DateTime: return datetime_;
    case TypeKind::Time: return time_;
    case TypeKind::Instant: return instant_;
    case TypeKind::Duration: return duration_;
    case TypeKind::Json: return json_;
    case TypeKind::Null: return null_;
    case TypeKind::Never: return never_;
    default: return error_;
  }
}

const Type* TypeTable::make(Type t) {
  if (t.kind != TypeKind::AnonRecord) {
    auto key = std::make_tuple(static_cast<int>(t.kind), static_cast<const void*>(t.inner ? t.inner : t.value),
                               t.record        ? static_cast<const void*>(t.record)
                               : t.enumeration ? static_cast<const void*>(t.enumeration)
                                               : static_cast<const void*>(t.value));
    if (auto it = interned_.find(key); it != interned_.end() && t.kind >= TypeKind::Optional) return it->second;
    storage_.push_back(std::move(t));
    if (storage_.back().kind >= TypeKind::Optional) interned_[key] = &storage_.back();
    return &storage_.back();
  }
  storage_.push_back(std::move(t));
  return &storage_.back();
}

const Type* TypeTable::optional(const Type* t) {
  if (is_error(t) || t->kind == TypeKind::Optional || t->kind == TypeKind::Null || t->kind == TypeKind::Never ||
      t->kind == TypeKind::Json)
    return t;
  if (t->kind == TypeKind::Fallible) return fallible(optional(t->inner));
  return make(shape(TypeKind::Optional, t));
}

const Type* TypeTable::fallible(const Type* t) {
  if (is_error(t) || t->kind == TypeKind::Fallible || t->kind == TypeKind::Never) return t;
  return make(shape(TypeKind::Fallible, t));
}

const Type* TypeTable::list(const Type* t) {
  return make(shape(TypeKind::List, t));
}
const Type* TypeTable::set(const Type* t) {
  return make(shape(TypeKind::Set, t));
}
const Type* TypeTable::map(const Type* k, const Type* v) {
  Type t = shape(TypeKind::Map, k);
  t.value = v;
  return make(std::move(t));
}
const Type* TypeTable::id(const Type* model) {
  return make(shape(TypeKind::Id, model));
}
const Type* TypeTable::record(const RecordInfo* info) {
  Type t = shape(TypeKind::Record);
  t.record = info;
  return make(std::move(t));
}
const Type* TypeTable::enumeration(const EnumInfo* info) {
  Type t = shape(TypeKind::Enum);
  t.enumeration = info;
  return make(std::move(t));
}
const Type* TypeTable::anon_record(std::vector<FieldInfo> fields) {
  Type t = shape(TypeKind::AnonRecord);
  t.fields = std::move(fields);
  return make(std::move(t));
}

std::string display(const Type* t) {
  if (t == nullptr) return "?";
  switch (t->kind) {
    case TypeKind::Error: return "{unknown}";
    case TypeKind::Never: return "never";
    case TypeKind::Null: return "null";
    case TypeKind::Bool: return "bool";
    case TypeKind::Int: return "int";
    case TypeKind::Decimal: return "decimal";
    case TypeKind::String: return "string";
    case TypeKind::Date: return "date";
    case TypeKind::DateTime: return "datetime";
    case TypeKind::Time: return "time";
    case TypeKind::Instant: return "instant";
    case TypeKind::Duration: return "duration";
    case TypeKind::Json: return "json";
    case TypeKind::Optional: return display(t->inner) + "?";
    case TypeKind::Fallible: return display(t->inner) + "!";
    case TypeKind::List: return "list<" + display(t->inner) + ">";
    case TypeKind::Set: return "set<" + display(t->inner) + ">";
    case TypeKind::Map: return "map<" + display(t->inner) + ", " + display(t->value) + ">";
    case TypeKind::Id: return "id<" + display(t->inner) + ">";
    case TypeKind::Record: return t->record->name;
    case TypeKind::Enum: return t->enumeration->name;
    case TypeKind::AnonRecord: {
      std::string out = "{";
      for (std::size_t i = 0; i < t->fields.size(); ++i)
        out += (i ? ", " : "") + t->fields[i].name + ": " + display(t->fields[i].type);
      return out + "}";
    }
  }
  return "?";
}

std::string with_article(const Type* t) {
  std::string name = display(t);
  bool vowel = !name.empty() && std::string("aeiouAEIOU").find(name[0]) != std::string::npos;
  return (vowel ? "an " : "a ") + name;
}

const Type* unwrap(const Type* t) {
  while (t->kind == TypeKind::Optional || t->kind == TypeKind::Fallible) t = t->inner;
  return t;
}

bool is_numeric(const Type* t) {
  return t->kind == TypeKind::Int || t->kind == TypeKind::Decimal;
}

bool is_ordered(const Type* t) {
  switch (t->kind) {
    case TypeKind::Int:
    case TypeKind::Decimal:
    case TypeKind::String:
    case TypeKind::Date:
    case TypeKind::DateTime:
    case TypeKind::Time:
    case TypeKind::Instant:
    case TypeKind::Duration: return true;
    case TypeKind::Enum: return t->enumeration != nullptr && t->enumeration->ordered();
    default: return false;
  }
}

bool is_scalar(const Type* t) {
  return is_ordered(t) || t->kind == TypeKind::Bool || t->kind == TypeKind::Enum || t->kind == TypeKind::Id;
}

bool assignable(const Type* from, const Type* to) {
  if (is_error(from) || is_error(to) || from == to || from->kind == TypeKind::Never) return true;
  switch (to->kind) {
    case TypeKind::Json: return from->kind != TypeKind::Fallible;  // the escape hatch takes any value
    case TypeKind::Optional:
      if (from->kind == TypeKind::Null) return true;
      if (from->kind == TypeKind::Optional) return assignable(from->inner, to->inner);
      return from->kind != TypeKind::Fallible && assignable(from, to->inner);
    case TypeKind::Fallible:
      if (from->kind == TypeKind::Fallible) return assignable(from->inner, to->inner);
      return assignable(from, to->inner);
    case TypeKind::Decimal: return from->kind == TypeKind::Int;
    case TypeKind::String: return from->kind == TypeKind::Enum;
    case TypeKind::DateTime: return from->kind == TypeKind::Instant;
    case TypeKind::List:
    case TypeKind::Set: return from->kind == to->kind && assignable(from->inner, to->inner);
    case TypeKind::Map:
      return from->kind == TypeKind::Map && assignable(from->inner, to->inner) && assignable(from->value, to->value);
    case TypeKind::Id: return from->kind == TypeKind::Id && from->inner == to->inner;
    case TypeKind::AnonRecord:
      if (from->kind != TypeKind::AnonRecord || from->fields.size() != to->fields.size()) return false;
      for (std::size_t i = 0; i < from->fields.size(); ++i)
        if (from->fields[i].name != to->fields[i].name || !assignable(from->fields[i].type, to->fields[i].type))
          return false;
      return true;
    default: return false;
  }
}

const Type* join(TypeTable& types, const Type* a, const Type* b) {
  if (is_error(a) || is_error(b)) return types.error();
  if (a == b) return a;
  if (a->kind == TypeKind::Never) return b;
  if (b->kind == TypeKind::Never) return a;
  if (a->kind == TypeKind::Null) return types.optional(b);
  if (b->kind == TypeKind::Null) return types.optional(a);
  if (a->kind == TypeKind::Fallible || b->kind == TypeKind::Fallible) {
    const Type* inner =
        join(types, a->kind == TypeKind::Fallible ? a->inner : a, b->kind == TypeKind::Fallible ? b->inner : b);
    return inner ? types.fallible(inner) : nullptr;
  }
  if (a->kind == TypeKind::Optional || b->kind == TypeKind::Optional) {
    const Type* inner =
        join(types, a->kind == TypeKind::Optional ? a->inner : a, b->kind == TypeKind::Optional ? b->inner : b);
    return inner ? types.optional(inner) : nullptr;
  }
  if (assignable(a, b)) return b;
  if (assignable(b, a)) return a;
  if ((a->kind == TypeKind::List && b->kind == TypeKind::List) ||
      (a->kind == TypeKind::Set && b->kind == TypeKind::Set)) {
    const Type* inner = join(types, a->inner, b->inner);
    return inner ? (a->kind == TypeKind::List ? types.list(inner) : types.set(inner)) : nullptr;
  }
  return nullptr;
}

}  // namespace suture::sema
