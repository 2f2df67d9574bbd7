// fhir_valuesets.h — required bindings → enums: expands ValueSets through the CodeSystems among
// the inputs, names the resulting enums, and remembers which value sets could not be expanded
// (their elements fall back to `string` with @binding). Internal to suture_schema.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "compiler/schema/fhir_definitions.h"
#include "compiler/schema/naming.h"
#include "compiler/schema/sut_writer.h"

namespace suture::schema::fhir {

struct ExpandedCode {
  std::string system;
  std::string code;
};

struct Expansion {
  std::vector<ExpandedCode> codes;  // compose order, first occurrence of each code kept
  std::string failure;              // why it could not be expanded; empty on success
};

// Expands compose.include/exclude: explicit concept lists, whole code systems (complete
// content only) and included value sets. Filters are not supported.
Expansion expand_value_set(const Definitions& definitions, const std::string& url);

class EnumCatalog {
 public:
  // Expands every url not seen before (in sorted order) and names the enums; names come from
  // `names`, in which record names must already be taken so that records keep theirs.
  void add(const Definitions& definitions, const std::set<std::string>& value_set_urls, NameTable& names);

  // The enum generated for a value set, or nullptr when it fell back to string.
  const std::string* enum_for(const std::string& value_set_url) const;
  std::vector<EnumDecl> declarations() const;  // sorted by name
  // One "url: reason" line per value set that fell back to string, sorted by url.
  std::vector<std::string> fallbacks() const;
  std::size_t enum_count() const { return enums_.size(); }

 private:
  struct Generated {
    std::string name;
    Expansion expansion;
  };
  std::map<std::string, Generated> enums_;       // by value set url
  std::map<std::string, std::string> failures_;  // url → reason
};

}  // namespace suture::schema::fhir
