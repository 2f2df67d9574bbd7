// fhir_snapshot.h — the element list a StructureDefinition's records are generated from: its
// own snapshot, or (for a profile that only has a differential) its base's snapshot with the
// differential applied. Slices are left out: a record has one field per element path.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "compiler/schema/fhir_definitions.h"

namespace suture::schema::fhir {

class SnapshotResolver {
 public:
  SnapshotResolver(const Definitions& definitions, std::vector<std::string>& errors)
      : definitions_(definitions), errors_(errors) {}

  // nullptr (after reporting why) when the snapshot cannot be had. Results are cached, so each
  // problem is reported once.
  const std::vector<Element>* snapshot(const std::string& url);

 private:
  std::optional<std::vector<Element>> apply_differential(const StructureDefinition& sd);
  // Inserts the elements of a complex type's definition under `parent` so a differential can
  // constrain them (Patient.identifier.system). False if parent's type has no definition.
  bool unfold(std::vector<Element>& elements, std::size_t parent);
  std::optional<std::size_t> find_for_differential(std::vector<Element>& elements, const Element& diff);

  const Definitions& definitions_;
  std::vector<std::string>& errors_;
  std::map<std::string, std::optional<std::vector<Element>>> cache_;
  std::set<std::string> in_progress_;
};

// True for element ids inside a slice ("Patient.identifier:mrn.system").
bool in_slice(const Element& element);

// The StructureDefinition (by type name) of a specialization among the definitions.
const StructureDefinition* find_type_definition(const Definitions& definitions, const std::string& type);

}  // namespace suture::schema::fhir
