// fhir_records.h — one StructureDefinition's element list → Suture records: the root record,
// one nested record per backbone element (named <Root><Path in PascalCase>), FHIR primitives
// mapped to builtins, cardinality to T / T? / list<T>, value[x] expanded per type, required
// code bindings to enums. Internal to suture_schema.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "compiler/schema/fhir_definitions.h"
#include "compiler/schema/fhir_valuesets.h"
#include "compiler/schema/naming.h"
#include "compiler/schema/sut_writer.h"

namespace suture::schema::fhir {

// The names of the records one definition produces.
struct RecordPlan {
  std::string root_name;
  std::map<std::string, std::string> nested;  // element path → record name (own or reused)
  std::set<std::string> own;                  // paths whose record this definition emits
};

struct GeneratedRecords {
  std::vector<RecordDecl> records;  // root first, then nested in element order
  bool has_resource_json = false;   // some Resource-typed element became `json`
};

// Value sets of required bindings on code elements (what needs an enum).
void collect_required_code_bindings(const std::vector<Element>& snapshot, std::set<std::string>& value_set_urls);

// Names the nested records of one definition (taking them from `names`). For a profile,
// base/base_snapshot describe the specialization it constrains: a backbone element whose
// subtree the profile leaves unchanged reuses the base's record instead of getting a copy.
RecordPlan plan_records(const std::vector<Element>& snapshot, const std::string& root_name, NameTable& names,
                        const RecordPlan* base = nullptr, const std::vector<Element>* base_snapshot = nullptr);

class RecordGenerator {
 public:
  // complex_types: every record type name a definition may refer to (data types, resources).
  RecordGenerator(const std::set<std::string>& complex_types, const EnumCatalog& enums,
                  std::vector<std::string>& errors)
      : complex_types_(complex_types), enums_(enums), errors_(errors) {}

  GeneratedRecords generate(const StructureDefinition& sd, const std::vector<Element>& snapshot,
                            const RecordPlan& plan) const;

 private:
  const std::set<std::string>& complex_types_;
  const EnumCatalog& enums_;
  std::vector<std::string>& errors_;
};

}  // namespace suture::schema::fhir
