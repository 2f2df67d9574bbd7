// manifest_json.cpp — Manifest ⇄ JSON with nlohmann::json (ordered, so the key order written is
// the order below). Reading never throws: each key is checked for presence and type.
#include "runtime/pack/manifest_json.h"

#include <limits>
#include <nlohmann/json.hpp>

namespace suture::pack {
namespace {

using ordered_json = nlohmann::ordered_json;
using json = nlohmann::json;

ordered_json entry_to_json(const EntryPoint& e) {
  ordered_json j;
  j["name"] = e.name;
  j["kind"] = to_string(e.kind);
  j["symbol"] = e.symbol;
  j["params"] = e.param_types;
  j["param_names"] = e.param_names;
  j["result"] = e.result_type;
  j["input_format"] = to_string(e.input_format);
  j["output_format"] = to_string(e.output_format);
  if (e.reads_everything) {
    j["reads"] = "everything";
  } else {
    ordered_json reads = ordered_json::array();
    for (const FieldsRead& r : e.fields_read) reads.push_back(ordered_json{{"record", r.record}, {"fields", r.fields}});
    j["reads"] = std::move(reads);
  }
  if (!e.rules.empty()) {
    ordered_json rules = ordered_json::array();
    for (const RuleInfo& r : e.rules)
      rules.push_back(ordered_json{{"label", r.label}, {"kind", r.kind}, {"path", r.path}, {"source", r.source}});
    j["rules"] = std::move(rules);
  }
  return j;
}

ordered_json route_to_json(const RouteInfo& r) {
  ordered_json j;
  j["name"] = r.name;
  j["triggers"] = ordered_json::array();
  for (const RouteTrigger& t : r.triggers)
    j["triggers"].push_back(
        ordered_json{{"listener", t.listener}, {"verb", t.verb}, {"selector", t.selector}, {"event", t.event}});
  j["message_type"] = r.message_type;
  j["message_format"] = to_string(r.message_format);
  j["priority"] = r.priority;
  j["fallback"] = r.fallback;
  j["select_entry"] = r.select_entry;
  j["has_when"] = r.has_when;
  j["has_order"] = r.has_order;
  j["policy"] = r.policy;
  j["policy_args"] = ordered_json::array();
  for (const RouteArg& a : r.policy_args) j["policy_args"].push_back(ordered_json{{"kind", a.kind}, {"json", a.json}});
  j["mapping"] = r.mapping;
  j["deliveries"] = ordered_json::array();
  for (const RouteDelivery& d : r.deliveries)
    j["deliveries"].push_back(ordered_json{{"family", d.family},
                                           {"operation", d.operation},
                                           {"args", d.args},
                                           {"key_field", d.key_field},
                                           {"endpoint", d.endpoint}});
  j["retry"] = ordered_json{{"strategy", r.retry},
                            {"first_ms", r.retry_first_ms},
                            {"max_ms", r.retry_max_ms},
                            {"attempts", r.attempts},
                            {"dead_letter", r.dead_letter}};
  j["source"] = r.source;
  return j;
}

ordered_json location_to_json(const SourceLocation& l) {
  ordered_json j;
  j["id"] = l.id;
  j["file"] = l.file;
  j["line"] = l.line;
  j["column"] = l.column;
  if (l.text) j["text"] = *l.text;
  return j;
}

const char* expected(json::value_t type) {
  switch (type) {
    case json::value_t::string: return "a string";
    case json::value_t::array: return "an array";
    case json::value_t::object: return "an object";
    default: return "a non-negative integer";
  }
}

// Checked field access: the first problem found is kept in `error`, later reads are no-ops.
struct Fields {
  const json& object;
  std::string where;
  std::string& error;

  const json* get(const char* key, json::value_t type, bool required = true) {
    if (!error.empty()) return nullptr;
    auto it = object.find(key);
    if (it == object.end()) {
      if (required) error = where + " has no \"" + key + "\"";
      return nullptr;
    }
    const bool number = type == json::value_t::number_unsigned;
    if (number ? !it->is_number_unsigned() : it->type() != type) {
      error = where + ": \"" + key + "\" should be " + expected(type) + ", not " + it->type_name();
      return nullptr;
    }
    return &*it;
  }
  std::string text(const char* key) {
    const json* v = get(key, json::value_t::string);
    return v ? v->get<std::string>() : std::string();
  }
  std::uint32_t u32(const char* key) {
    const json* v = get(key, json::value_t::number_unsigned);
    if (!v) return 0;
    const auto n = v->get<std::uint64_t>();
    if (n > std::numeric_limits<std::uint32_t>::max()) {
      error = where + ": \"" + key + "\" is out of range";
      return 0;
    }
    return static_cast<std::uint32_t>(n);
  }
  std::vector<std::string> texts(const char* key) {
    std::vector<std::string> out;
    const json* v = get(key, json::value_t::array);
    if (!v) return out;
    for (const json& item : *v) {
      if (!item.is_string()) {
        error = where + ": \"" + key + "\" must hold only strings";
        return {};
      }
      out.push_back(item.get<std::string>());
    }
    return out;
  }
};

EntryPoint entry_from_json(const json& j, const std::string& where, std::string& error) {
  EntryPoint e;
  if (!j.is_object()) {
    error = where + " is not an object";
    return e;
  }
  Fields f{j, where, error};
  e.name = f.text("name");
  const std::string kind = f.text("kind");
  e.symbol = f.text("symbol");
  e.param_types = f.texts("params");
  e.param_names = f.texts("param_names");
  e.result_type = f.text("result");
  const std::string input = f.text("input_format");
  const std::string output = f.text("output_format");
  if (!error.empty()) return e;
  if (auto rules = j.find("rules"); rules != j.end()) {
    if (!rules->is_array()) {
      error = where + ": \"rules\" should be an array";
      return e;
    }
    for (const json& r : *rules) {
      if (!r.is_object()) {
        error = where + " has a malformed rule";
        return e;
      }
      Fields rf{r, where + " rule", error};
      RuleInfo info;
      info.label = rf.text("label");
      info.kind = rf.text("kind");
      info.path = rf.text("path");
      info.source = rf.u32("source");
      if (!error.empty()) return e;
      e.rules.push_back(std::move(info));
    }
  }
  auto reads = j.find("reads");
  if (reads == j.end()) {
    error = where + " has no \"reads\"";
    return e;
  }
  if (reads->is_string() && *reads == "everything") {
    e.reads_everything = true;
  } else if (reads->is_array()) {
    for (const json& r : *reads) {
      auto record = r.is_object() ? r.find("record") : r.end();
      auto fields = r.is_object() ? r.find("fields") : r.end();
      if (!r.is_object() || record == r.end() || !record->is_number_unsigned() || fields == r.end() ||
          !fields->is_array()) {
        error = where + " has a malformed \"reads\" entry";
        return e;
      }
      FieldsRead read;
      read.record = record->get<std::uint32_t>();
      for (const json& field : *fields) {
        if (!field.is_number_unsigned()) {
          error = where + " has a malformed \"reads\" entry";
          return e;
        }
        read.fields.push_back(field.get<std::uint32_t>());
      }
      e.fields_read.push_back(std::move(read));
    }
  } else {
    error = where + ": \"reads\" should be an array or \"everything\"";
    return e;
  }
  auto k = entry_kind_from(kind);
  auto in = data_format_from(input);
  auto out = data_format_from(output);
  if (!k)
    error = where + " has unknown kind \"" + kind + "\" (mapping, policy, route or function)";
  else if (!in)
    error = where + " has unknown input format \"" + input + "\" (none, fhir, odoo, hl7v2 or json)";
  else if (!out)
    error = where + " has unknown output format \"" + output + "\" (none, fhir, odoo, hl7v2 or json)";
  else {
    e.kind = *k;
    e.input_format = *in;
    e.output_format = *out;
  }
  return e;
}

bool flag(const json& j, const char* key, const std::string& where, std::string& error) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_boolean()) {
    if (error.empty()) error = where + ": \"" + key + "\" should be true or false";
    return false;
  }
  return it->get<bool>();
}

RouteInfo route_from_json(const json& j, const std::string& where, std::string& error) {
  RouteInfo r;
  if (!j.is_object()) {
    error = where + " is not an object";
    return r;
  }
  Fields f{j, where, error};
  r.name = f.text("name");
  if (const json* triggers = f.get("triggers", json::value_t::array))
    for (const json& t : *triggers) {
      if (!t.is_object()) {
        error = where + " has a malformed trigger";
        return r;
      }
      Fields tf{t, where + " trigger", error};
      r.triggers.push_back({tf.text("listener"), tf.text("verb"), tf.text("selector"), tf.text("event")});
    }
  r.message_type = f.text("message_type");
  const std::string format = f.text("message_format");
  if (auto it = j.find("priority"); it != j.end() && it->is_number_integer()) r.priority = it->get<std::int64_t>();
  r.fallback = flag(j, "fallback", where, error);
  r.select_entry = f.text("select_entry");
  r.has_when = flag(j, "has_when", where, error);
  r.has_order = flag(j, "has_order", where, error);
  r.policy = f.text("policy");
  if (const json* args = f.get("policy_args", json::value_t::array))
    for (const json& a : *args) {
      if (!a.is_object()) {
        error = where + " has a malformed policy argument";
        return r;
      }
      Fields af{a, where + " policy argument", error};
      r.policy_args.push_back({af.text("kind"), af.text("json")});
    }
  r.mapping = f.text("mapping");
  if (const json* deliveries = f.get("deliveries", json::value_t::array))
    for (const json& d : *deliveries) {
      if (!d.is_object()) {
        error = where + " has a malformed delivery";
        return r;
      }
      Fields df{d, where + " delivery", error};
      RouteDelivery delivery;
      delivery.family = df.text("family");
      delivery.operation = df.text("operation");
      delivery.args = df.texts("args");
      delivery.key_field = df.text("key_field");
      delivery.endpoint = df.text("endpoint");
      r.deliveries.push_back(std::move(delivery));
    }
  if (const json* retry = f.get("retry", json::value_t::object)) {
    Fields rf{*retry, where + " retry", error};
    r.retry = rf.text("strategy");
    r.retry_first_ms = rf.u32("first_ms");
    r.retry_max_ms = rf.u32("max_ms");
    r.attempts = rf.u32("attempts");
    r.dead_letter = flag(*retry, "dead_letter", where + " retry", error);
  }
  r.source = f.u32("source");
  if (error.empty()) {
    if (auto fmt = data_format_from(format))
      r.message_format = *fmt;
    else
      error = where + " has unknown message format \"" + format + "\"";
  }
  return r;
}

SourceLocation location_from_json(const json& j, const std::string& where, std::string& error) {
  SourceLocation l;
  if (!j.is_object()) {
    error = where + " is not an object";
    return l;
  }
  Fields f{j, where, error};
  l.id = f.u32("id");
  l.file = f.text("file");
  l.line = f.u32("line");
  l.column = f.u32("column");
  if (const json* text = f.get("text", json::value_t::string, false)) l.text = text->get<std::string>();
  return l;
}

}  // namespace

std::string manifest_to_json(const Manifest& m, std::string_view hash_hex) {
  ordered_json j;
  j["content_hash"] = std::string(hash_hex);  // first: format.h locates it by position
  j["format_version"] = kFormatVersion;
  j["abi_version"] = abi::kAbiVersion;
  j["compiler_version"] = m.compiler_version;
  j["target_triple"] = m.target_triple;
  j["entry_points"] = ordered_json::array();
  for (const EntryPoint& e : m.entry_points) j["entry_points"].push_back(entry_to_json(e));
  if (!m.routes.empty()) {
    j["routes"] = ordered_json::array();
    for (const RouteInfo& r : m.routes) j["routes"].push_back(route_to_json(r));
  }
  j["schemas"] = m.schemas;
  j["source_map"] = ordered_json::array();
  for (const SourceLocation& l : m.source_map) j["source_map"].push_back(location_to_json(l));
  j["build_info"] = ordered_json::object();
  for (const auto& [key, value] : m.build_info) j["build_info"][key] = value;
  // Invalid UTF-8 (a mis-encoded source excerpt) becomes U+FFFD rather than failing the build.
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::variant<Manifest, std::string> manifest_from_json(std::string_view text) {
  const json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return std::string("the manifest is not valid JSON");
  if (!j.is_object()) return std::string("the manifest is not a JSON object");
  std::string error;
  Fields f{j, "the manifest", error};
  Manifest m;
  m.content_hash = f.text("content_hash");
  m.format_version = f.u32("format_version");
  m.abi_version = f.u32("abi_version");
  m.compiler_version = f.text("compiler_version");
  m.target_triple = f.text("target_triple");
  if (const json* entries = f.get("entry_points", json::value_t::array))
    for (std::size_t i = 0; i < entries->size() && error.empty(); ++i)
      m.entry_points.push_back(entry_from_json((*entries)[i], "entry point #" + std::to_string(i), error));
  if (const json* routes = f.get("routes", json::value_t::array, /*required=*/false))
    for (std::size_t i = 0; i < routes->size() && error.empty(); ++i)
      m.routes.push_back(route_from_json((*routes)[i], "route #" + std::to_string(i), error));
  m.schemas = f.texts("schemas");
  if (const json* locations = f.get("source_map", json::value_t::array))
    for (std::size_t i = 0; i < locations->size() && error.empty(); ++i)
      m.source_map.push_back(location_from_json((*locations)[i], "source map entry #" + std::to_string(i), error));
  if (const json* info = f.get("build_info", json::value_t::object)) {
    for (const auto& [key, value] : info->items()) {
      if (!value.is_string()) {
        error = "the manifest: build_info \"" + key + "\" is not a string";
        break;
      }
      m.build_info[key] = value.get<std::string>();
    }
  }
  if (!error.empty()) return error;
  return m;
}

}  // namespace suture::pack
