// naming.h — how external names (FHIR paths, ValueSet names, Odoo model and field names)
// become Suture declaration names and file names, and how clashes are resolved
// deterministically. Pure string functions; no knowledge of either source schema.
#pragma once

#include <set>
#include <string>
#include <string_view>

namespace suture::schema {

// "medicationRequest Intent" → "MedicationRequestIntent", "res.partner" → "ResPartner",
// "v3.ConfidentialityClassification" → "V3ConfidentialityClassification". Every run of
// characters other than ASCII letters and digits separates words; each word gets an upper-case
// first letter and keeps the rest; digits of adjacent words stay apart ("a_1_6" → "A1_6"). A
// result that would start with a digit gets a "T" prefix.
std::string pascal_case(std::string_view text);

// "dateTime" → "DateTime" (only the first character changes).
std::string upper_first(std::string_view text);

// "MedicationRequest" → "medication_request"; used for generated file names.
std::string snake_case(std::string_view text);

// The declared names already taken in one generated module. Names are handed out in the
// order callers ask, so a deterministic call order gives deterministic names.
class NameTable {
 public:
  bool taken(const std::string& name) const { return names_.contains(name); }
  // Takes `name` if it is free and returns true; returns false (and takes nothing) otherwise.
  bool try_take(const std::string& name);
  // Takes the first free name of: preferred, preferred + "2", preferred + "3", …
  std::string take(const std::string& preferred);

 private:
  std::set<std::string> names_;
};

}  // namespace suture::schema
