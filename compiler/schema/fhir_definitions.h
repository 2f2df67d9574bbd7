// fhir_definitions.h — the parts of FHIR conformance resources the importer uses
// (StructureDefinition elements, ValueSet composition, CodeSystem concepts), read from JSON
// files or Bundles into plain structs keyed by canonical URL. Internal to suture_schema.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace suture::schema::fhir {

struct TypeRef {
  std::string code;  // "HumanName", "code", or a FHIRPath system type URL
  // structuredefinition-fhir-type extension: the FHIR type a System.* code stands for.
  std::string fhir_type;
  std::vector<std::string> target_profiles;
  bool operator==(const TypeRef&) const = default;
};

// One ElementDefinition. Optional members are those a differential may leave out.
struct Element {
  std::string id;
  std::string path;
  std::optional<int> min;
  std::optional<std::string> max;
  std::optional<std::string> base_max;  // base.max: the cardinality of the JSON representation
  std::optional<std::vector<TypeRef>> types;
  std::optional<std::string> content_reference;  // "#Questionnaire.item"
  std::optional<std::string> binding_strength;
  std::optional<std::string> binding_value_set;  // canonical without "|version"
  std::optional<std::string> short_text;
  std::optional<std::string> fixed;    // fixed[x], primitives as text, complex values as JSON
  std::optional<std::string> pattern;  // pattern[x], likewise
  bool operator==(const Element&) const = default;
};

struct StructureDefinition {
  std::string where;  // "file" or "file: entry[3]", for error messages
  std::string url;
  std::string name;
  std::string type;
  std::string kind;        // resource, complex-type, primitive-type, logical
  std::string derivation;  // specialization, constraint, or empty
  std::string base_definition;
  bool abstract = false;
  bool has_snapshot = false;
  std::vector<Element> snapshot;
  std::vector<Element> differential;
};

struct Concept {
  std::string code;
  std::string display;
};

struct ValueSetRule {  // one compose.include or compose.exclude
  std::string system;
  std::vector<Concept> concepts;
  std::vector<std::string> value_sets;
  bool has_filter = false;
};

struct ValueSet {
  std::string where;
  std::string url;
  std::string name;
  std::vector<ValueSetRule> includes;
  std::vector<ValueSetRule> excludes;
};

struct CodeSystemConcept {
  std::string code;
  std::string display;
  bool selectable = true;  // false when the notSelectable property is true
};

struct CodeSystem {
  std::string where;
  std::string url;
  std::string name;
  std::string content;                      // complete, fragment, not-present, …
  std::vector<CodeSystemConcept> concepts;  // hierarchy flattened depth-first
};

struct Definitions {
  std::map<std::string, StructureDefinition> structure_definitions;  // by url
  std::map<std::string, ValueSet> value_sets;
  std::map<std::string, CodeSystem> code_systems;
};

// Reads every file (directories searched for *.json); problems are appended to errors and the
// offending resource skipped. Resources of other types inside Bundles are ignored quietly; a
// top-level file of another type is an error.
Definitions load_definitions(const std::vector<std::filesystem::path>& inputs, std::vector<std::string>& errors);

// "http://…/ValueSet/x|4.0.1" → "http://…/ValueSet/x".
std::string strip_version(std::string_view canonical);

}  // namespace suture::schema::fhir
