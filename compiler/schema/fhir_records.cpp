// fhir_records.cpp — StructureDefinition elements → records (see fhir_records.h).
#include "compiler/schema/fhir_records.h"

#include <algorithm>
#include <utility>

#include "compiler/schema/fhir_snapshot.h"

namespace suture::schema::fhir {
namespace {

constexpr std::string_view kSystemTypePrefix = "http://hl7.org/fhirpath/System.";

struct Primitive {
  std::string_view fhir;
  std::string_view builtin;
  bool narrower;  // the builtin accepts more than FHIR does: keep @fhir_type
};

constexpr Primitive kPrimitives[] = {
    {"boolean", "bool", false},       {"integer", "int", false},     {"integer64", "int", true},
    {"positiveInt", "int", true},     {"unsignedInt", "int", true},  {"decimal", "decimal", false},
    {"string", "string", false},      {"code", "string", true},      {"id", "string", true},
    {"uri", "string", true},          {"url", "string", true},       {"canonical", "string", true},
    {"oid", "string", true},          {"uuid", "string", true},      {"markdown", "string", true},
    {"base64Binary", "string", true}, {"xhtml", "string", true},     {"date", "date", false},
    {"dateTime", "datetime", false},  {"instant", "instant", false}, {"time", "time", false},
};

const Primitive* find_primitive(std::string_view code) {
  for (const Primitive& p : kPrimitives) {
    if (p.fhir == code) return &p;
  }
  return nullptr;
}

// The FHIR type an element's type entry stands for: FHIRPath system types (used for
// Element.id, Extension.url and primitive values) carry it in an extension.
std::string fhir_code(const TypeRef& type) {
  if (!type.code.starts_with(kSystemTypePrefix)) return type.code;
  if (!type.fhir_type.empty()) {
    const auto slash = type.fhir_type.find_last_of('/');
    return slash == std::string::npos ? type.fhir_type : type.fhir_type.substr(slash + 1);
  }
  const std::string system = type.code.substr(kSystemTypePrefix.size());
  if (system == "DateTime") return "dateTime";
  std::string lowered = system;
  if (!lowered.empty() && lowered[0] >= 'A' && lowered[0] <= 'Z') {
    lowered[0] = static_cast<char>(lowered[0] - 'A' + 'a');
  }
  return lowered;  // String → string, Boolean → boolean, Integer → integer, …
}

std::string parent_path(const std::string& path) {
  const auto dot = path.find_last_of('.');
  return dot == std::string::npos ? std::string() : path.substr(0, dot);
}

std::string last_segment(const std::string& path) {
  const auto dot = path.find_last_of('.');
  return dot == std::string::npos ? path : path.substr(dot + 1);
}

bool is_within(const std::string& path, const std::string& ancestor) {
  return path.size() > ancestor.size() && path.starts_with(ancestor) && path[ancestor.size()] == '.';
}

bool is_abstract_element_type(const std::string& code) {
  return code == "BackboneElement" || code == "Element";
}

// What the JSON shape follows: an element whose base allows several values is an array even
// when a profile narrows it to one.
bool is_list(const Element& e) {
  const std::string max = e.base_max ? *e.base_max : e.max.value_or("1");
  return max != "0" && max != "1";
}

// The elements that become fields: no slices, nothing prohibited (max 0) or under it.
struct ElementTree {
  const Element* root = nullptr;
  std::vector<const Element*> kept;  // element order, root excluded
  std::map<std::string, std::vector<const Element*>> children;

  explicit ElementTree(const std::vector<Element>& snapshot) {
    std::set<std::string> dropped;
    std::set<std::string> kept_paths;
    for (const Element& e : snapshot) {
      if (!root) {
        if (!in_slice(e)) root = &e;
        continue;
      }
      if (in_slice(e) || e.max.value_or("*") == "0") {
        dropped.insert(e.path);
        continue;
      }
      const std::string parent = parent_path(e.path);
      const bool under_dropped = std::any_of(dropped.begin(), dropped.end(),
                                             [&](const auto& d) { return e.path == d || is_within(e.path, d); });
      if (under_dropped || parent.empty()) continue;
      if (parent != root->path && !kept_paths.contains(parent)) continue;  // orphan
      kept.push_back(&e);
      kept_paths.insert(e.path);
      children[parent].push_back(&e);
    }
  }

  bool has_children(const std::string& path) const {
    const auto it = children.find(path);
    return it != children.end() && !it->second.empty();
  }
};

bool same_constraints(const Element& a, const Element& b) {
  return a.path == b.path && a.min == b.min && a.max == b.max && a.types == b.types &&
         a.content_reference == b.content_reference && a.binding_strength == b.binding_strength &&
         a.binding_value_set == b.binding_value_set && a.fixed == b.fixed && a.pattern == b.pattern;
}

std::vector<const Element*> descendants(const std::vector<Element>& snapshot, const std::string& path) {
  std::vector<const Element*> out;
  for (const Element& e : snapshot) {
    if (!in_slice(e) && is_within(e.path, path)) out.push_back(&e);
  }
  return out;
}

std::string tail_after_slash(const std::string& url) {
  const auto slash = url.find_last_of('/');
  return slash == std::string::npos ? url : url.substr(slash + 1);
}

// Builds the records of one definition; collects its problems once per kind.
class Emitter {
 public:
  Emitter(const StructureDefinition& sd, const ElementTree& tree, const RecordPlan& plan,
          const std::set<std::string>& complex_types, const EnumCatalog& enums, std::vector<std::string>& errors)
      : sd_(sd), tree_(tree), plan_(plan), complex_types_(complex_types), enums_(enums), errors_(errors) {}

  RecordDecl record(const Element& element, std::string name, std::vector<Annotation> annotations) {
    RecordDecl record;
    record.name = std::move(name);
    record.annotations = std::move(annotations);
    const auto it = tree_.children.find(element.path);
    if (it == tree_.children.end()) return record;
    for (const Element* child : it->second) add_fields(*child, record.fields);
    return record;
  }

  bool resource_json() const { return resource_json_; }

 private:
  struct FieldType {
    std::string type;
    std::vector<Annotation> annotations;
  };

  void report(const std::string& key, const std::string& message) {
    if (reported_.insert(key).second) errors_.push_back(sd_.where + ": " + message);
  }

  static void add_constraint_annotations(const Element& e, std::vector<Annotation>& out) {
    if (e.fixed) out.push_back(string_annotation("fixed", *e.fixed));
    if (e.pattern) out.push_back(string_annotation("pattern", *e.pattern));
  }

  FieldType json_type() { return {"json", {}}; }

  FieldType type_of(const TypeRef& type, const Element& e) {
    FieldType out;
    const std::string code = fhir_code(type);
    const bool required_binding = e.binding_strength == "required" && e.binding_value_set;
    if (const Primitive* primitive = find_primitive(code)) {
      if (code == "code" && required_binding) {
        if (const std::string* enum_name = enums_.enum_for(*e.binding_value_set)) {
          return {type_name(*enum_name), {}};
        }
      }
      out.type = primitive->builtin;
      if (primitive->narrower) out.annotations.push_back(string_annotation("fhir_type", code));
    } else if (code == "Resource" || code == "DomainResource") {
      resource_json_ = true;
      return json_type();
    } else if (complex_types_.contains(code)) {
      out.type = type_name(code);
    } else {
      report("type " + code, e.path + ": type " + code + " is not defined among the inputs; the field is json");
      return json_type();
    }
    if (required_binding) {
      out.annotations.push_back(string_annotation("binding", *e.binding_value_set));
    }
    if (!type.target_profiles.empty()) {
      std::vector<std::string> targets;
      for (const std::string& profile : type.target_profiles) {
        targets.push_back(string_literal(tail_after_slash(profile)));
      }
      const bool any = std::find(targets.begin(), targets.end(), string_literal("Resource")) != targets.end();
      if (!any) out.annotations.emplace_back("targets", std::move(targets));
    }
    return out;
  }

  FieldType element_type(const Element& e) {
    if (tree_.has_children(e.path)) {
      const auto it = plan_.nested.find(e.path);
      if (it != plan_.nested.end()) return {type_name(it->second), {}};
    }
    if (e.content_reference) {
      const std::string target = e.content_reference->substr(e.content_reference->find('#') + 1);
      const auto it = plan_.nested.find(target);
      if (it != plan_.nested.end()) return {type_name(it->second), {}};
      report("ref " + e.path,
             e.path + ": contentReference " + *e.content_reference + " names no backbone element; the field is json");
      return json_type();
    }
    if (!e.types || e.types->empty()) {
      report("untyped " + e.path, e.path + ": element has no type; the field is json");
      return json_type();
    }
    if (e.types->size() > 1) {
      report("multi " + e.path, e.path +
                                    ": several types on an element that is not a choice [x];"
                                    " the field is json");
      return json_type();
    }
    if (is_abstract_element_type(e.types->front().code)) return json_type();  // no children
    return type_of(e.types->front(), e);
  }

  void add_fields(const Element& e, std::vector<FieldDecl>& fields) {
    const std::string name = last_segment(e.path);
    const int min = e.min.value_or(0);
    std::vector<std::string> doc;
    if (e.short_text) doc.push_back(*e.short_text);
    if (name.ends_with("[x]")) {
      const std::string stem = name.substr(0, name.size() - 3);
      if (!e.types || e.types->empty()) {
        report("choice " + e.path, e.path + ": choice element without types; skipped");
        return;
      }
      for (const TypeRef& type : *e.types) {
        FieldDecl field;
        field.doc = std::exchange(doc, {});
        field.name = stem + upper_first(type.code);
        FieldType ft = type_of(type, e);
        field.annotations.push_back(min > 0 ? Annotation("choice", {string_literal(stem), string_literal("required")})
                                            : string_annotation("choice", stem));
        field.annotations.insert(field.annotations.end(), ft.annotations.begin(), ft.annotations.end());
        add_constraint_annotations(e, field.annotations);
        field.type = optional_type(ft.type);
        fields.push_back(std::move(field));
      }
      return;
    }
    FieldDecl field;
    field.doc = std::move(doc);
    field.name = name;
    FieldType ft = element_type(e);
    field.annotations = std::move(ft.annotations);
    add_constraint_annotations(e, field.annotations);
    if (is_list(e)) {
      if (min > 0) field.annotations.emplace_back("min", std::vector{int_literal(min)});
      const std::string max = e.max.value_or("*");
      if (max != "*" && max != e.base_max.value_or("*")) {
        field.annotations.emplace_back("max", std::vector{max});
      }
      field.type = list_type(ft.type);
    } else {
      field.type = min > 0 ? ft.type : optional_type(ft.type);
    }
    fields.push_back(std::move(field));
  }

  const StructureDefinition& sd_;
  const ElementTree& tree_;
  const RecordPlan& plan_;
  const std::set<std::string>& complex_types_;
  const EnumCatalog& enums_;
  std::vector<std::string>& errors_;
  std::set<std::string> reported_;
  bool resource_json_ = false;
};

}  // namespace

void collect_required_code_bindings(const std::vector<Element>& snapshot, std::set<std::string>& value_set_urls) {
  for (const Element& e : snapshot) {
    if (in_slice(e) || e.binding_strength != "required" || !e.binding_value_set || !e.types) {
      continue;
    }
    const bool is_code =
        std::any_of(e.types->begin(), e.types->end(), [](const TypeRef& t) { return fhir_code(t) == "code"; });
    if (is_code) value_set_urls.insert(*e.binding_value_set);
  }
}

RecordPlan plan_records(const std::vector<Element>& snapshot, const std::string& root_name, NameTable& names,
                        const RecordPlan* base, const std::vector<Element>* base_snapshot) {
  RecordPlan plan;
  plan.root_name = root_name;
  const ElementTree tree(snapshot);
  if (!tree.root) return plan;
  for (const Element* e : tree.kept) {
    if (!tree.has_children(e->path)) continue;
    if (base && base_snapshot && base->nested.contains(e->path)) {
      const std::vector<const Element*> mine = descendants(snapshot, e->path);
      const std::vector<const Element*> theirs = descendants(*base_snapshot, e->path);
      const bool unchanged = mine.size() == theirs.size() &&
                             std::equal(mine.begin(), mine.end(), theirs.begin(),
                                        [](const Element* a, const Element* b) { return same_constraints(*a, *b); });
      if (unchanged) {
        plan.nested[e->path] = base->nested.at(e->path);
        continue;
      }
    }
    std::string name = root_name;
    const std::string relative = e->path.substr(tree.root->path.size());
    std::size_t start = 1;
    while (start <= relative.size()) {
      const std::size_t dot = std::min(relative.find('.', start), relative.size());
      name += upper_first(relative.substr(start, dot - start));
      start = dot + 1;
    }
    plan.nested[e->path] = names.take(name);
    plan.own.insert(e->path);
  }
  return plan;
}

GeneratedRecords RecordGenerator::generate(const StructureDefinition& sd, const std::vector<Element>& snapshot,
                                           const RecordPlan& plan) const {
  GeneratedRecords out;
  const ElementTree tree(snapshot);
  if (!tree.root) {
    errors_.push_back(sd.where + ": " + sd.url + " has no elements");
    return out;
  }
  Emitter emitter(sd, tree, plan, complex_types_, enums_, errors_);
  std::vector<Annotation> root_annotations;
  const char* kind = sd.kind == "resource" ? "resource" : "datatype";
  if (sd.derivation == "constraint") {
    root_annotations.push_back(string_annotation("profile", sd.url));
    root_annotations.push_back(string_annotation(kind, sd.type));
  } else {
    root_annotations.push_back(string_annotation(kind, sd.type));
    root_annotations.push_back(string_annotation("url", sd.url));
  }
  RecordDecl root = emitter.record(*tree.root, plan.root_name, std::move(root_annotations));
  if (tree.root->short_text) root.doc.push_back(*tree.root->short_text);
  out.records.push_back(std::move(root));
  for (const Element* e : tree.kept) {
    if (!plan.own.contains(e->path)) continue;
    std::vector<Annotation> annotations{string_annotation("path", e->path)};
    if (e->types && e->types->size() == 1 && !is_abstract_element_type(e->types->front().code)) {
      annotations.push_back(string_annotation("datatype", e->types->front().code));
    }
    out.records.push_back(emitter.record(*e, plan.nested.at(e->path), std::move(annotations)));
  }
  out.has_resource_json = emitter.resource_json();
  return out;
}

}  // namespace suture::schema::fhir
