// fhir_definitions.cpp — reading StructureDefinitions, ValueSets and CodeSystems from JSON
// (see fhir_definitions.h). Lenient about what the importer does not use, strict about what
// it does: a missing url, type or element path is reported and the resource skipped.
#include "compiler/schema/fhir_definitions.h"

#include <nlohmann/json.hpp>

#include "compiler/schema/json_files.h"

namespace suture::schema::fhir {
namespace {

using nlohmann::json;

constexpr std::string_view kFhirTypeExtension = "http://hl7.org/fhir/StructureDefinition/structuredefinition-fhir-type";

const json& member(const json& object, const char* key) {
  static const json null_value;
  if (!object.is_object()) return null_value;
  const auto it = object.find(key);
  return it == object.end() ? null_value : *it;
}

std::string render_value(const json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

// The first member whose name starts with prefix ("fixed" → fixedCode, fixedUri, …).
std::optional<std::string> prefixed_value(const json& element, std::string_view prefix) {
  for (const auto& [key, value] : element.items()) {
    if (key.size() > prefix.size() && key.starts_with(prefix) && key[prefix.size()] >= 'A' &&
        key[prefix.size()] <= 'Z') {
      return render_value(value);
    }
  }
  return std::nullopt;
}

std::vector<TypeRef> read_types(const json& array) {
  std::vector<TypeRef> types;
  for (const json& entry : array) {
    TypeRef type;
    type.code = json_string(entry, "code");
    for (const json& extension : member(entry, "extension")) {
      if (json_string(extension, "url") == kFhirTypeExtension) {
        type.fhir_type = json_string(extension, "valueUrl");
        if (type.fhir_type.empty()) type.fhir_type = json_string(extension, "valueUri");
      }
    }
    for (const json& profile : member(entry, "targetProfile")) {
      if (profile.is_string()) type.target_profiles.push_back(profile.get<std::string>());
    }
    if (!type.code.empty()) types.push_back(std::move(type));
  }
  return types;
}

bool read_elements(const json& list, const std::string& where, const char* section, std::vector<Element>& out,
                   std::vector<std::string>& errors) {
  if (!list.is_array()) {
    errors.push_back(where + ": " + section + ".element is not an array");
    return false;
  }
  for (std::size_t i = 0; i < list.size(); ++i) {
    const json& e = list[i];
    Element element;
    element.path = json_string(e, "path");
    if (element.path.empty()) {
      errors.push_back(where + ": " + section + ".element[" + std::to_string(i) + "] has no path");
      return false;
    }
    element.id = json_string(e, "id");
    if (element.id.empty()) element.id = element.path;
    if (const json& min = member(e, "min"); min.is_number_integer()) element.min = min.get<int>();
    if (const json& max = member(e, "max"); max.is_string()) element.max = max.get<std::string>();
    if (const json& base_max = member(member(e, "base"), "max"); base_max.is_string()) {
      element.base_max = base_max.get<std::string>();
    }
    if (const json& types = member(e, "type"); types.is_array()) element.types = read_types(types);
    if (const json& ref = member(e, "contentReference"); ref.is_string()) {
      element.content_reference = ref.get<std::string>();
    }
    if (const json& binding = member(e, "binding"); binding.is_object()) {
      element.binding_strength = json_string(binding, "strength");
      const std::string value_set = json_string(binding, "valueSet");
      if (!value_set.empty()) element.binding_value_set = strip_version(value_set);
    }
    if (const json& text = member(e, "short"); text.is_string()) {
      element.short_text = text.get<std::string>();
    }
    element.fixed = prefixed_value(e, "fixed");
    element.pattern = prefixed_value(e, "pattern");
    out.push_back(std::move(element));
  }
  return true;
}

std::optional<StructureDefinition> read_structure_definition(const json& resource, const std::string& where,
                                                             std::vector<std::string>& errors) {
  StructureDefinition sd;
  sd.where = where;
  sd.url = json_string(resource, "url");
  sd.name = json_string(resource, "name");
  sd.type = json_string(resource, "type");
  sd.kind = json_string(resource, "kind");
  sd.derivation = json_string(resource, "derivation");
  sd.base_definition = json_string(resource, "baseDefinition");
  sd.abstract = json_bool(resource, "abstract", false);
  if (sd.url.empty() || sd.type.empty() || sd.kind.empty()) {
    errors.push_back(where + ": StructureDefinition without url, type or kind; skipped");
    return std::nullopt;
  }
  if (sd.name.empty()) sd.name = sd.type;
  if (const json& snapshot = member(resource, "snapshot"); snapshot.is_object()) {
    if (!read_elements(member(snapshot, "element"), where, "snapshot", sd.snapshot, errors)) {
      return std::nullopt;
    }
    sd.has_snapshot = !sd.snapshot.empty();
  }
  if (const json& differential = member(resource, "differential"); differential.is_object()) {
    if (!read_elements(member(differential, "element"), where, "differential", sd.differential, errors)) {
      return std::nullopt;
    }
  }
  return sd;
}

ValueSetRule read_rule(const json& rule) {
  ValueSetRule out;
  out.system = strip_version(json_string(rule, "system"));
  for (const json& item : member(rule, "concept")) {
    Concept c{json_string(item, "code"), json_string(item, "display")};
    if (!c.code.empty()) out.concepts.push_back(std::move(c));
  }
  for (const json& value_set : member(rule, "valueSet")) {
    if (value_set.is_string()) out.value_sets.push_back(strip_version(value_set.get<std::string>()));
  }
  out.has_filter = member(rule, "filter").is_array() && !member(rule, "filter").empty();
  return out;
}

std::optional<ValueSet> read_value_set(const json& resource, const std::string& where,
                                       std::vector<std::string>& errors) {
  ValueSet vs;
  vs.where = where;
  vs.url = json_string(resource, "url");
  vs.name = json_string(resource, "name");
  if (vs.url.empty()) {
    errors.push_back(where + ": ValueSet without url; skipped");
    return std::nullopt;
  }
  const json& compose = member(resource, "compose");
  for (const json& rule : member(compose, "include")) vs.includes.push_back(read_rule(rule));
  for (const json& rule : member(compose, "exclude")) vs.excludes.push_back(read_rule(rule));
  return vs;
}

void flatten_concepts(const json& list, std::vector<CodeSystemConcept>& out) {
  for (const json& item : list) {
    CodeSystemConcept c{json_string(item, "code"), json_string(item, "display"), true};
    for (const json& property : member(item, "property")) {
      if (json_string(property, "code") == "notSelectable" && json_bool(property, "valueBoolean", false)) {
        c.selectable = false;
      }
    }
    if (!c.code.empty()) out.push_back(std::move(c));
    flatten_concepts(member(item, "concept"), out);
  }
}

std::optional<CodeSystem> read_code_system(const json& resource, const std::string& where,
                                           std::vector<std::string>& errors) {
  CodeSystem cs;
  cs.where = where;
  cs.url = json_string(resource, "url");
  cs.name = json_string(resource, "name");
  cs.content = json_string(resource, "content");
  if (cs.url.empty()) {
    errors.push_back(where + ": CodeSystem without url; skipped");
    return std::nullopt;
  }
  flatten_concepts(member(resource, "concept"), cs.concepts);
  return cs;
}

template <typename T>
void insert_unique(std::map<std::string, T>& into, T value, const char* kind, std::vector<std::string>& errors) {
  const std::string url = value.url;
  const std::string where = value.where;
  const auto [it, inserted] = into.emplace(url, std::move(value));
  if (!inserted) {
    errors.push_back(where + ": " + kind + " " + url + " is also defined in " + it->second.where +
                     "; this one is ignored");
  }
}

void add_resource(const json& resource, const std::string& where, bool in_bundle, Definitions& definitions,
                  std::vector<std::string>& errors) {
  const std::string type = json_string(resource, "resourceType");
  if (type == "StructureDefinition") {
    if (auto sd = read_structure_definition(resource, where, errors)) {
      insert_unique(definitions.structure_definitions, std::move(*sd), "StructureDefinition", errors);
    }
  } else if (type == "ValueSet") {
    if (auto vs = read_value_set(resource, where, errors)) {
      insert_unique(definitions.value_sets, std::move(*vs), "ValueSet", errors);
    }
  } else if (type == "CodeSystem") {
    if (auto cs = read_code_system(resource, where, errors)) {
      insert_unique(definitions.code_systems, std::move(*cs), "CodeSystem", errors);
    }
  } else if (type == "Bundle") {
    const json& entries = member(resource, "entry");
    for (std::size_t i = 0; i < entries.size(); ++i) {
      const json& entry_resource = member(entries[i], "resource");
      if (entry_resource.is_object()) {
        add_resource(entry_resource, where + ": entry[" + std::to_string(i) + "]", true, definitions, errors);
      }
    }
  } else if (!in_bundle) {
    errors.push_back(where + ": " +
                     (type.empty() ? std::string("not a FHIR resource (no resourceType)")
                                   : "resourceType " + type +
                                         " is not a StructureDefinition, ValueSet, CodeSystem "
                                         "or Bundle") +
                     "; skipped");
  }
}

}  // namespace

std::string strip_version(std::string_view canonical) {
  return std::string(canonical.substr(0, canonical.find('|')));
}

Definitions load_definitions(const std::vector<std::filesystem::path>& inputs, std::vector<std::string>& errors) {
  Definitions definitions;
  for (const std::filesystem::path& file : list_json_inputs(inputs, errors)) {
    const std::optional<json> document = read_json_file(file, errors);
    if (!document) continue;
    if (!document->is_object()) {
      errors.push_back(file.generic_string() + ": not a FHIR resource (not a JSON object)");
      continue;
    }
    add_resource(*document, file.generic_string(), false, definitions, errors);
  }
  return definitions;
}

}  // namespace suture::schema::fhir
