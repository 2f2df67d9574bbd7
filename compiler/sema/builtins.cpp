// builtins.cpp — the table of standard functions. Deterministic by design: there is no
// clock, no randomness and no I/O here; time comes from the message context.
#include "compiler/sema/builtins.h"

namespace suture::sema {

const std::vector<BuiltinSignature>& builtin_functions() {
  static const std::vector<BuiltinSignature> table = {
      {"length", "s", 'i', false, "number of Unicode code points"},
      {"lower", "s", 's', false, "lower case (Unicode)"},
      {"upper", "s", 's', false, "upper case (Unicode)"},
      {"trim", "s", 's', false, "without leading and trailing white space"},
      {"trim_start", "s", 's', false, "without leading white space"},
      {"trim_end", "s", 's', false, "without trailing white space"},
      {"starts_with", "ss", 'b', false, "whether the string starts with the prefix"},
      {"ends_with", "ss", 'b', false, "whether the string ends with the suffix"},
      {"contains", "ss", 'b', false, "whether the string contains the other"},
      {"split", "ss", 'L', false, "the parts between separators"},
      {"replace", "sss", 's', false, "every occurrence replaced"},
      {"substring", "sii", 's', false, "code points [start, start+length)"},
      {"pad_left", "sis", 's', false, "padded on the left to a length"},
      {"pad_right", "sis", 's', false, "padded on the right to a length"},
      {"matches", "ss", 'b', false, "whether the whole string matches the regular expression"},
      {"to_string", "a", 's', false, "the canonical text of a scalar"},
      {"join", "Ls", 's', false, "the strings joined with a separator"},
      {"parse_int", "s", 'i', true, "an integer from text; fails on anything else"},
      {"parse_decimal", "s", 'd', true, "an exact decimal from text; fails on anything else"},
      {"parse_date", "s", 'D', true, "a date (YYYY, YYYY-MM or YYYY-MM-DD); fails on anything else"},
      {"parse_datetime", "s", 'T', true, "a date-time with offset; fails on anything else"},
      {"parse_bool", "s", 'b', true, "true or false from text; fails on anything else"},
      {"abs", "n", '=', false, "absolute value"},
      {"round", "ni", 'd', false, "rounded half-even to a number of places"},
      {"floor", "n", 'i', false, "largest integer not above"},
      {"ceil", "n", 'i', false, "smallest integer not below"},
      {"to_decimal", "i", 'd', false, "the same number as an exact decimal"},
      {"year", "t", 'i', false, "the year"},
      {"month", "t", 'i', true, "the month; fails when the value has only a year"},
      {"day", "t", 'i', true, "the day; fails when the value has no day"},
      {"date_of", "T", 'D', false, "the date part of a date-time, in its own offset"},
      {"sha256", "s", 's', false, "hex SHA-256 of the UTF-8 bytes"},
      {"hmac_sha256", "ss", 's', false, "hex HMAC-SHA-256 with the named key from the host configuration"},
      {"uuid_from", "s", 's', false, "a UUID (v5) derived from the text: the same text gives the same UUID"},
      {"confidentiality", "s", 'C', true, "the HL7 v3 Confidentiality code (U, L, M, N, R, V); fails on anything else"},
      {"smart_permits", "sss", 'b', false,
       "whether a SMART on FHIR scope (v1 or v2) permits an interaction (create, read, update, delete, search) on a "
       "resource type"},
      {"purpose_of_use_valid", "s", 'b', false, "whether the code is in HL7 v3 PurposeOfUse"},
      {"fail", "s", 'N', false, "rejects the message with a reason"},
      {"fail", "ss", 'N', false, "rejects the message with a code and a reason"},
  };
  return table;
}

std::vector<const BuiltinSignature*> find_builtin(const std::string& name) {
  std::vector<const BuiltinSignature*> out;
  for (const auto& b : builtin_functions())
    if (name == b.name) out.push_back(&b);
  return out;
}

const std::vector<std::string>& collection_operations() {
  static const std::vector<std::string> ops = {
      "first",  "last",     "any",      "all",      "filter",  "map", "flat_map", "count",  "sort_by",
      "sort",   "distinct", "contains", "is_empty", "size",    "sum", "min",      "max",    "min_by",
      "max_by", "take",     "skip",     "to_set",   "to_list", "get", "keys",     "values", "contains_key"};
  return ops;
}

}  // namespace suture::sema
