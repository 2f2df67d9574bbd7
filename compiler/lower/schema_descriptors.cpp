// schema_descriptors.cpp — sema types → runtime descriptors. Annotations written by the
// schema importers carry the facts codecs need: @resource, @model, @choice, @fhir_type, @format.
#include "compiler/lower/schema_descriptors.h"

#include <map>
#include <sstream>

#include "compiler/diagnostics/render.h"
#include "compiler/sema/checker.h"
#include "compiler/sema/program.h"

namespace suture::lower {
namespace {

using sema::Type;
using sema::TypeKind;

const ast::Annotation* find_annotation(const std::vector<ast::Annotation>* list, const char* name) {
  if (list == nullptr) return nullptr;
  for (const auto& a : *list)
    if (a.name.text == name) return &a;
  return nullptr;
}

std::string first_arg(const ast::Annotation* a) {
  return a != nullptr && !a->args.empty() ? a->args[0].text : "";
}

}  // namespace

const abi::RecordDesc* Describer::record(const Type* t) {
  if (auto it = records_.find(t->record); it != records_.end()) return it->second;
  const sema::RecordInfo* info = t->record;
  abi::RecordDesc& desc = out_.add_record(info->name);
  records_[info] = &desc;  // before the fields: records may refer to themselves
  const auto* annotations = info->decl ? &info->decl->annotations : nullptr;
  desc.resource_type = first_arg(find_annotation(annotations, "resource"));
  desc.model = first_arg(find_annotation(annotations, "model"));
  desc.segment = first_arg(find_annotation(annotations, "segment"));
  if (annotations != nullptr)
    for (const auto& a : *annotations)
      if (a.name.text == "message")
        for (const auto& arg : a.args) desc.messages.push_back(arg.text);
  const bool fhir = info->module.rfind("fhir.", 0) == 0;
  for (const sema::FieldInfo& f : info->fields) {
    abi::FieldDesc field;
    field.name = f.name;
    field.type = type(f.type);
    field.readonly = f.readonly;
    field.choice = first_arg(find_annotation(f.annotations, "choice"));
    if (!f.choice_kind_of.empty()) {
      field.choice = f.choice_kind_of;
      field.choice_kind = true;  // filled by the codec with the alternative present
    }
    if (first_arg(find_annotation(f.annotations, "format")) == "odoo") field.date_format = abi::DateFormat::Odoo;
    for (const char* position : {"field", "component"})
      if (const ast::Annotation* a = find_annotation(f.annotations, position); a != nullptr && !a->args.empty())
        field.position = static_cast<std::uint16_t>(std::stoi(a->args[0].text));
    bool primitive = field.type.kind != abi::Kind::Record && field.type.kind != abi::Kind::Json;
    // FHIR primitives may carry `_name` (id, extensions); an Odoo many2one read as
    // [id, "name"] keeps its display name. Both live in the field's extension slot.
    field.has_extension = ((fhir && primitive) || (field.type.odoo_id && !field.type.list)) && !field.choice_kind;
    desc.fields.push_back(std::move(field));
  }
  return &desc;
}

const abi::EnumDesc* Describer::enumeration(const Type* t) {
  if (auto it = enums_.find(t->enumeration); it != enums_.end()) return it->second;
  abi::EnumDesc& desc = out_.add_enum(t->enumeration->name);
  desc.codes = t->enumeration->members;
  enums_[t->enumeration] = &desc;
  return &desc;
}

abi::TypeDesc Describer::type(const Type* t) {
  abi::TypeDesc d;
  if (t->kind == TypeKind::Optional) {
    d = type(t->inner);
    d.optional = true;
    return d;
  }
  if (t->kind == TypeKind::List || t->kind == TypeKind::Set) {
    d = type(t->inner);
    d.list = true;
    return d;
  }
  switch (t->kind) {
    case TypeKind::Bool: d.kind = abi::Kind::Bool; break;
    case TypeKind::Int: d.kind = abi::Kind::Int; break;
    case TypeKind::Decimal: d.kind = abi::Kind::Decimal; break;
    case TypeKind::String: d.kind = abi::Kind::String; break;
    case TypeKind::Date: d.kind = abi::Kind::Date; break;
    case TypeKind::DateTime: d.kind = abi::Kind::DateTime; break;
    case TypeKind::Time: d.kind = abi::Kind::Time; break;
    case TypeKind::Instant: d.kind = abi::Kind::Instant; break;
    case TypeKind::Duration: d.kind = abi::Kind::Duration; break;
    case TypeKind::Enum:
      d.kind = abi::Kind::Enum;
      d.enumeration = enumeration(t);
      break;
    case TypeKind::Record:
      d.kind = abi::Kind::Record;
      d.record = record(t);
      break;
    case TypeKind::Id:
      d.kind = abi::Kind::Int;
      d.odoo_id = true;
      d.record = record(t->inner);
      break;
    default: d.kind = abi::Kind::Json; break;
  }
  return d;
}

std::unique_ptr<DescribedSchemas> describe_modules(const std::vector<std::string>& modules,
                                                   const std::filesystem::path& stdlib) {
  auto result = std::make_unique<DescribedSchemas>();
  SourceManager sources;
  DiagnosticSink diagnostics;
  sema::Program program(sources, diagnostics, stdlib);
  std::string text = "module suture_describe\n";
  for (const auto& m : modules) text += "import " + m + "\n";
  program.add_text("<describe>", text);
  sema::Checker checker(program, diagnostics);
  checker.run();
  diagnostics.allow(DiagCode::S2012);  // the synthetic imports are "unused"
  std::ostringstream rendered;
  auto sorted = diagnostics.sorted();
  render_short(rendered, sorted, sources);
  std::istringstream lines(rendered.str());
  for (std::string line; std::getline(lines, line);) result->errors.push_back(line);
  Describer describer(result->schemas);
  for (const auto& m : modules)
    for (const Type* t : checker.declared_types(m)) {
      if (t->kind == TypeKind::Record)
        describer.record(t);
      else if (t->kind == TypeKind::Enum)
        describer.enumeration(t);
    }
  result->schemas.finish();
  return result;
}

}  // namespace suture::lower
