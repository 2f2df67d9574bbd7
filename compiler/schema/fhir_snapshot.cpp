// fhir_snapshot.cpp — snapshots for profiles given only as differentials (see fhir_snapshot.h).
#include "compiler/schema/fhir_snapshot.h"

#include <algorithm>

#include "compiler/schema/naming.h"

namespace suture::schema::fhir {
namespace {

std::string parent_path(const std::string& path) {
  const auto dot = path.find_last_of('.');
  return dot == std::string::npos ? std::string() : path.substr(0, dot);
}

bool is_within(const std::string& path, const std::string& ancestor) {
  return path.size() > ancestor.size() && path.starts_with(ancestor) && path[ancestor.size()] == '.';
}

void apply(Element& target, const Element& diff) {
  if (diff.min) target.min = diff.min;
  if (diff.max) target.max = diff.max;
  if (diff.types) target.types = diff.types;
  if (diff.content_reference) target.content_reference = diff.content_reference;
  if (diff.binding_strength) target.binding_strength = diff.binding_strength;
  if (diff.binding_value_set) target.binding_value_set = diff.binding_value_set;
  if (diff.short_text) target.short_text = diff.short_text;
  if (diff.fixed) target.fixed = diff.fixed;
  if (diff.pattern) target.pattern = diff.pattern;
}

}  // namespace

bool in_slice(const Element& element) {
  return element.id.find(':') != std::string::npos;
}

const StructureDefinition* find_type_definition(const Definitions& definitions, const std::string& type) {
  const StructureDefinition* found = nullptr;
  for (const auto& [url, sd] : definitions.structure_definitions) {
    if (sd.type == type && sd.derivation != "constraint" && (!found || url < found->url)) {
      found = &sd;
    }
  }
  return found;
}

const std::vector<Element>* SnapshotResolver::snapshot(const std::string& url) {
  if (const auto cached = cache_.find(url); cached != cache_.end()) {
    return cached->second ? &*cached->second : nullptr;
  }
  const auto it = definitions_.structure_definitions.find(url);
  if (it == definitions_.structure_definitions.end()) return nullptr;
  const StructureDefinition& sd = it->second;
  std::optional<std::vector<Element>> result;
  if (sd.has_snapshot) {
    result = sd.snapshot;
  } else if (sd.derivation == "constraint") {
    if (in_progress_.insert(url).second) {
      result = apply_differential(sd);
      in_progress_.erase(url);
    } else {
      errors_.push_back(sd.where + ": baseDefinition chain of " + url + " loops back to itself");
    }
  } else {
    errors_.push_back(sd.where + ": StructureDefinition " + sd.url +
                      " has no snapshot; import definitions with snapshots");
  }
  const auto& stored = cache_.emplace(url, std::move(result)).first->second;
  return stored ? &*stored : nullptr;
}

std::optional<std::vector<Element>> SnapshotResolver::apply_differential(const StructureDefinition& sd) {
  const std::string base_url = strip_version(sd.base_definition);
  if (!definitions_.structure_definitions.contains(base_url)) {
    errors_.push_back(sd.where + ": profile " + sd.url + " has no snapshot and its base " +
                      (base_url.empty() ? std::string("(none given)") : base_url) + " is not among the inputs");
    return std::nullopt;
  }
  const std::vector<Element>* base = snapshot(base_url);
  if (!base) return std::nullopt;
  std::vector<Element> elements = *base;
  for (const Element& diff : sd.differential) {
    if (in_slice(diff)) continue;  // slices are not modelled as fields
    const std::optional<std::size_t> index = find_for_differential(elements, diff);
    if (!index) {
      errors_.push_back(sd.where + ": differential element " + diff.id + " matches no element of " + base_url +
                        "; ignored");
      continue;
    }
    apply(elements[*index], diff);
  }
  return elements;
}

std::optional<std::size_t> SnapshotResolver::find_for_differential(std::vector<Element>& elements,
                                                                   const Element& diff) {
  const auto find = [&](const std::string& path) -> std::optional<std::size_t> {
    for (std::size_t i = 0; i < elements.size(); ++i) {
      if (elements[i].path == path && !in_slice(elements[i])) return i;
    }
    return std::nullopt;
  };
  if (auto index = find(diff.path)) return index;
  // A choice constrained to one type may be written with its type name: Observation.valueQuantity.
  const std::string parent = parent_path(diff.path);
  const std::string last = diff.path.substr(parent.empty() ? 0 : parent.size() + 1);
  for (std::size_t i = 0; i < elements.size(); ++i) {
    Element& e = elements[i];
    if (!e.path.ends_with("[x]") || parent_path(e.path) != parent || in_slice(e)) continue;
    const std::string stem = e.path.substr(parent.size() + 1, e.path.size() - parent.size() - 4);
    if (!e.types) continue;
    for (const TypeRef& type : *e.types) {
      if (stem + upper_first(type.code) == last) {
        e.types = std::vector<TypeRef>{type};
        return i;
      }
    }
  }
  // A path into a complex data type: unfold the deepest existing ancestor and look again.
  for (std::string ancestor = parent; !ancestor.empty(); ancestor = parent_path(ancestor)) {
    const auto at = find(ancestor);
    if (!at) continue;
    const bool has_children =
        std::any_of(elements.begin(), elements.end(), [&](const Element& e) { return is_within(e.path, ancestor); });
    if (has_children || !unfold(elements, *at)) return std::nullopt;
    return find_for_differential(elements, diff);
  }
  return std::nullopt;
}

bool SnapshotResolver::unfold(std::vector<Element>& elements, std::size_t parent) {
  const Element& holder = elements[parent];
  if (!holder.types || holder.types->size() != 1) return false;
  const StructureDefinition* type = find_type_definition(definitions_, holder.types->front().code);
  if (!type || type->kind == "primitive-type") return false;
  const std::vector<Element>* type_snapshot = snapshot(type->url);
  if (!type_snapshot || type_snapshot->empty()) return false;
  const std::string root = type_snapshot->front().path;
  std::vector<Element> inserted;
  for (std::size_t i = 1; i < type_snapshot->size(); ++i) {
    Element e = (*type_snapshot)[i];
    if (!e.path.starts_with(root + ".")) continue;
    e.path = holder.path + e.path.substr(root.size());
    e.id = holder.id + e.id.substr(std::min(root.size(), e.id.size()));
    inserted.push_back(std::move(e));
  }
  elements.insert(elements.begin() + static_cast<std::ptrdiff_t>(parent) + 1, inserted.begin(), inserted.end());
  return true;
}

}  // namespace suture::schema::fhir
