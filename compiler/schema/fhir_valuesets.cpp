// fhir_valuesets.cpp — ValueSet expansion and enum naming (see fhir_valuesets.h).
#include "compiler/schema/fhir_valuesets.h"

#include <algorithm>

namespace suture::schema::fhir {
namespace {

std::string url_tail(const std::string& url) {
  const auto slash = url.find_last_of('/');
  return slash == std::string::npos ? url : url.substr(slash + 1);
}

class Expander {
 public:
  explicit Expander(const Definitions& definitions) : definitions_(definitions) {}

  Expansion expand(const std::string& url) {
    Expansion result;
    if (std::find(stack_.begin(), stack_.end(), url) != stack_.end()) {
      result.failure = "includes itself";
      return result;
    }
    const auto vs = definitions_.value_sets.find(url);
    if (vs == definitions_.value_sets.end()) {
      result.failure = "the ValueSet is not among the inputs";
      return result;
    }
    stack_.push_back(url);
    std::vector<ExpandedCode> codes;
    for (const ValueSetRule& rule : vs->second.includes) {
      std::vector<ExpandedCode> part;
      result.failure = codes_of(rule, part);
      if (!result.failure.empty()) break;
      for (ExpandedCode& code : part) {
        const bool seen =
            std::any_of(codes.begin(), codes.end(), [&](const ExpandedCode& c) { return c.code == code.code; });
        if (!seen) codes.push_back(std::move(code));
      }
    }
    for (const ValueSetRule& rule : vs->second.excludes) {
      if (!result.failure.empty()) break;
      std::vector<ExpandedCode> part;
      result.failure = codes_of(rule, part);
      std::erase_if(codes, [&](const ExpandedCode& c) {
        return std::any_of(part.begin(), part.end(),
                           [&](const ExpandedCode& x) { return x.code == c.code && x.system == c.system; });
      });
    }
    stack_.pop_back();
    if (result.failure.empty() && codes.empty()) result.failure = "it expands to no codes";
    if (result.failure.empty()) result.codes = std::move(codes);
    return result;
  }

 private:
  // The codes one include/exclude rule selects; returns a failure reason or "".
  std::string codes_of(const ValueSetRule& rule, std::vector<ExpandedCode>& out) {
    if (rule.has_filter) return "compose uses a filter on " + rule.system;
    if (!rule.value_sets.empty() && !rule.system.empty()) {
      return "compose intersects " + rule.system + " with value sets";
    }
    for (const std::string& nested : rule.value_sets) {
      Expansion inner = expand(nested);
      if (!inner.failure.empty()) return "included " + nested + ": " + inner.failure;
      out.insert(out.end(), inner.codes.begin(), inner.codes.end());
    }
    if (!rule.value_sets.empty()) return {};
    if (rule.system.empty()) return "compose has a rule without system or valueSet";
    if (!rule.concepts.empty()) {
      // Listed codes need no CodeSystem (units-of-time lists UCUM codes, for instance).
      for (const Concept& c : rule.concepts) out.push_back({rule.system, c.code});
      return {};
    }
    const auto cs = definitions_.code_systems.find(rule.system);
    if (cs == definitions_.code_systems.end()) {
      return "code system " + rule.system + " is not among the inputs";
    }
    if (cs->second.content != "complete") {
      return "code system " + rule.system + " has content '" + cs->second.content + "', not complete";
    }
    for (const CodeSystemConcept& c : cs->second.concepts) {
      if (c.selectable) out.push_back({rule.system, c.code});
    }
    return {};
  }

  const Definitions& definitions_;
  std::vector<std::string> stack_;
};

}  // namespace

Expansion expand_value_set(const Definitions& definitions, const std::string& url) {
  return Expander(definitions).expand(url);
}

void EnumCatalog::add(const Definitions& definitions, const std::set<std::string>& value_set_urls, NameTable& names) {
  std::map<std::string, std::string> preferred;  // url → preferred name
  std::map<std::string, int> uses;               // preferred name → how many want it
  std::vector<std::string> added;
  for (const std::string& url : value_set_urls) {
    if (enums_.contains(url) || failures_.contains(url)) continue;
    Expansion expansion = expand_value_set(definitions, url);
    if (!expansion.failure.empty()) {
      failures_[url] = expansion.failure;
      continue;
    }
    const auto vs = definitions.value_sets.find(url);
    std::string name = pascal_case(vs->second.name.empty() ? url_tail(url) : vs->second.name);
    if (name.empty()) name = "ValueSet";
    preferred[url] = name;
    ++uses[name];
    enums_[url] = Generated{{}, std::move(expansion)};
    added.push_back(url);
  }
  // Value sets sharing a name (two are called "Medication Status Codes") are named after their
  // URLs instead, so neither gets an arbitrary numeric suffix.
  for (const std::string& url : added) {
    std::string name = preferred[url];
    if (uses[name] > 1) name = pascal_case(url_tail(url));
    enums_[url].name = names.take(name);
  }
}

const std::string* EnumCatalog::enum_for(const std::string& value_set_url) const {
  const auto it = enums_.find(value_set_url);
  return it == enums_.end() ? nullptr : &it->second.name;
}

std::vector<EnumDecl> EnumCatalog::declarations() const {
  std::vector<EnumDecl> decls;
  for (const auto& [url, generated] : enums_) {
    EnumDecl decl;
    decl.name = generated.name;
    std::vector<std::string> systems;
    for (const ExpandedCode& code : generated.expansion.codes) {
      if (std::find(systems.begin(), systems.end(), code.system) == systems.end()) {
        systems.push_back(code.system);
      }
    }
    for (const std::string& system : systems) {
      decl.annotations.push_back(string_annotation("code_system", system));
    }
    decl.annotations.push_back(string_annotation("binding", url));
    for (const ExpandedCode& code : generated.expansion.codes) {
      EnumMember member{{}, code.code};
      // With several systems the member says which one its code belongs to.
      if (systems.size() > 1) member.annotations.push_back(string_annotation("system", code.system));
      decl.members.push_back(std::move(member));
    }
    decls.push_back(std::move(decl));
  }
  std::sort(decls.begin(), decls.end(), [](const EnumDecl& a, const EnumDecl& b) { return a.name < b.name; });
  return decls;
}

std::vector<std::string> EnumCatalog::fallbacks() const {
  std::vector<std::string> lines;
  for (const auto& [url, reason] : failures_) lines.push_back(url + ": " += reason);
  return lines;
}

}  // namespace suture::schema::fhir
