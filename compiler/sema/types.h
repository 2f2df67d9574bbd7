// types.h — Suture's static types, interned so that equal types are the same pointer.
// Pipeline position: built by the checker from type expressions and declarations; the typed
// IR (a later phase) reads them. Optional (T?) and fallible (T!) are wrappers, never nested.
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "compiler/ast/ast.h"

namespace suture::sema {

enum class TypeKind {
  Error,  // poison: an earlier error; never reported again
  Never,  // the type of `fail(...)`: fits anywhere
  Null,   // the type of `null`
  Bool,
  Int,
  Decimal,
  String,
  Date,
  DateTime,
  Time,
  Instant,
  Duration,
  Json,
  Optional,
  Fallible,
  List,
  Set,
  Map,
  Id,
  Record,
  Enum,
  AnonRecord,
};

struct Type;

struct FieldInfo {
  std::string name;
  const Type* type = nullptr;
  bool readonly = false;
  Span span;
  const std::vector<ast::Annotation>* annotations = nullptr;
  // A member the checker adds for a choice group (`value` for valueQuantity, valueString, …):
  // which alternative is present, as an enum. The codec fills it; it is never written.
  std::string choice_kind_of;
};

struct RecordInfo {
  std::string name;    // as declared
  std::string module;  // the declaring module
  const ast::RecordDecl* decl = nullptr;
  std::vector<FieldInfo> fields;
  const FieldInfo* field(const std::string& name) const;
};

struct EnumInfo {
  std::string name;
  std::string module;
  const ast::EnumDecl* decl = nullptr;
  std::vector<std::string> members;
  bool has(const std::string& member) const;
  // Annotated `@ordered`: members order by their position (`enum Confidentiality { U, L, … }`).
  bool ordered() const;
};

struct Type {
  TypeKind kind = TypeKind::Error;
  const Type* inner = nullptr;  // Optional, Fallible, List, Set, Id (the model record); Map key
  const Type* value = nullptr;  // Map value
  const RecordInfo* record = nullptr;
  const EnumInfo* enumeration = nullptr;
  std::vector<FieldInfo> fields;  // AnonRecord
};

class TypeTable {
 public:
  TypeTable();
  const Type* error() const { return error_; }
  const Type* never() const { return never_; }
  const Type* null() const { return null_; }
  const Type* boolean() const { return bool_; }
  const Type* integer() const { return int_; }
  const Type* decimal() const { return decimal_; }
  const Type* string() const { return string_; }
  const Type* date() const { return date_; }
  const Type* datetime() const { return datetime_; }
  const Type* time() const { return time_; }
  const Type* instant() const { return instant_; }
  const Type* duration() const { return duration_; }
  const Type* json() const { return json_; }
  const Type* scalar(TypeKind kind) const;

  // optional(T?) = T?, optional(null) = null, optional(error) = error; fallible likewise.
  const Type* optional(const Type* t);
  const Type* fallible(const Type* t);
  const Type* list(const Type* t);
  const Type* set(const Type* t);
  const Type* map(const Type* k, const Type* v);
  const Type* id(const Type* model);
  const Type* record(const RecordInfo* info);
  const Type* enumeration(const EnumInfo* info);
  const Type* anon_record(std::vector<FieldInfo> fields);

  RecordInfo* new_record() { return &records_.emplace_back(); }
  EnumInfo* new_enum() { return &enums_.emplace_back(); }

 private:
  const Type* make(Type t);
  std::deque<Type> storage_;
  std::deque<RecordInfo> records_;
  std::deque<EnumInfo> enums_;
  std::map<std::tuple<int, const void*, const void*>, const Type*> interned_;
  const Type *error_, *never_, *null_, *bool_, *int_, *decimal_, *string_, *date_, *datetime_, *time_, *instant_,
      *duration_, *json_;
};

std::string display(const Type* t);       // "list<HumanName>?", "string!"
std::string with_article(const Type* t);  // "an int", "a list<string>"

inline bool is_error(const Type* t) {
  return t == nullptr || t->kind == TypeKind::Error;
}
inline bool is_optional(const Type* t) {
  return t->kind == TypeKind::Optional || t->kind == TypeKind::Null;
}
inline bool is_fallible(const Type* t) {
  return t->kind == TypeKind::Fallible;
}
inline bool is_collection(const Type* t) {
  return t->kind == TypeKind::List || t->kind == TypeKind::Set;
}
// T for T? and T!; the type itself otherwise.
const Type* unwrap(const Type* t);
bool is_numeric(const Type* t);
bool is_ordered(const Type* t);  // supports < <= > >=, min/max/sort (an `@ordered` enum too)
bool is_scalar(const Type* t);   // usable as a table key, set element, match subject

// Can a value of `from` be used where `to` is expected? Optional and fallible never fit a
// plain T (the checker reports S3002 / S3003 for those with their own help).
bool assignable(const Type* from, const Type* to);
// The common type of two branches (if / match / ??), or nullptr when there is none.
const Type* join(TypeTable& types, const Type* a, const Type* b);

}  // namespace suture::sema
