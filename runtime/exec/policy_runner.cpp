// policy_runner.cpp — request → parameters → compiled policy → decision report (see
// policy_runner.h). The request is split with simdjson On-Demand; each member is decoded by its
// parameter's type (a FHIR resource, an Odoo model, a plain record such as Principal, or a
// scalar), so a request is checked as strictly as a message.
#include "runtime/exec/policy_runner.h"
#include "runtime/exec/pack_engine.h"

#include <simdjson.h>

#include <algorithm>

#include "runtime/codecs/json/writer.h"
#include "runtime/natives/natives.h"

namespace suture::runtime {
namespace {

namespace od = simdjson::ondemand;

Rejection request_error(std::string code, std::string path, std::string message) {
  return Rejection{std::move(code), std::move(path), std::move(message)};
}

}  // namespace

std::variant<std::unique_ptr<PolicyRunner>, std::string> PolicyRunner::create(const pack::LoadedPack& pack,
                                                                              Engine& engine, std::string_view policy) {
  std::unique_ptr<PolicyRunner> runner(new PolicyRunner());
  runner->pack_ = &pack;
  auto found = find_entry(pack, pack::EntryKind::Policy, policy);
  if (auto* error = std::get_if<std::string>(&found)) return *error;
  runner->entry_ = std::get<const pack::EntryPoint*>(found);
  const pack::EntryPoint& e = *runner->entry_;
  if (e.param_names.size() != e.param_types.size())
    return "policy `" + e.name + "` has no parameter names in its manifest";
  runner->param_names_ = e.param_names;
  for (const std::string& type : e.param_types) runner->param_records_.push_back(pack.schemas->record(type));
  auto function = load_entry(pack, engine, e);
  if (auto* error = std::get_if<std::string>(&function)) return *error;
  runner->function_ = std::get<EntryPoint>(function);
  runner->tables_ = std::make_unique<SchemaTables>(*pack.schemas);
  return runner;
}

void PolicyRunner::set_keys(std::vector<NamedKey> keys) {
  keys_ = std::move(keys);
}

std::optional<Rejection> PolicyRunner::decode(std::string_view request, Arena& arena, std::vector<abi::Value>& params) {
  params.assign(param_names_.size(), abi::Value{});
  std::vector<bool> seen(param_names_.size(), false);
  // The request is copied once with simdjson's padding into a buffer the runner keeps.
  request_buffer_.assign(request.data(), request.size());
  request_buffer_.append(simdjson::SIMDJSON_PADDING, '\0');
  if (!parser_) parser_ = std::make_shared<od::parser>();
  auto& parser = *static_cast<od::parser*>(parser_.get());
  od::document doc;
  if (parser.iterate(request_buffer_.data(), request.size(), request_buffer_.size()).get(doc))
    return request_error("REQUEST_MALFORMED", "$", "the request is not JSON");
  od::object object;
  if (doc.get_object().get(object))
    return request_error("REQUEST_MALFORMED", "$", "a request is a JSON object with one member per policy parameter");
  json::DecodeOptions options;
  options.unknown = json::Unknown::Keep;
  for (auto member : object) {
    std::string_view key;
    od::value value;
    if (member.unescaped_key().get(key) || member.value().get(value))
      return request_error("REQUEST_MALFORMED", "$", "the request is not valid JSON");
    auto it = std::find(param_names_.begin(), param_names_.end(), key);
    std::string path = "$." + std::string(key);
    if (it == param_names_.end()) {
      std::string expected;
      for (const auto& n : param_names_) expected += (expected.empty() ? "" : ", ") + n;
      return request_error(
          "REQUEST_UNKNOWN_MEMBER", path,
          "`" + std::string(key) + "` is not a parameter of policy " + entry_->name + " (" + expected + ")");
    }
    std::size_t i = static_cast<std::size_t>(it - param_names_.begin());
    seen[i] = true;
    std::string_view raw = value.raw_json_token();
    bool bad = false;
    if (!raw.empty() && raw[0] == '{') {
      od::object inner;
      bad = value.get_object().get(inner) || inner.raw_json().get(raw);
    } else if (!raw.empty() && raw[0] == '[') {
      od::array inner;
      bad = value.get_array().get(inner) || inner.raw_json().get(raw);
    }
    if (bad) return request_error("REQUEST_MALFORMED", path, "the member is not valid JSON");
    abi::Value& out = params[i];
    if (const abi::RecordDesc* record = param_records_[i]) {
      json::DecodeResult decoded = record->model.empty() ? json::decode_fhir_as(raw, *record, arena, options)
                                                         : json::decode_odoo(raw, *record, arena, options);
      if (!decoded) {
        std::string inner = decoded.error->path.size() > 1 ? decoded.error->path.substr(1) : "";
        return request_error(decoded.error->code, path + inner, decoded.error->message);
      }
      out.kind = abi::Kind::Record;
      out.record = decoded.record;
      continue;
    }
    const std::string& type = entry_->param_types[i];
    od::value scalar = value;
    if (type == "string") {
      std::string_view text;
      if (scalar.get_string().get(text)) return request_error("REQUEST_WRONG_TYPE", path, "expected a string");
      out.kind = abi::Kind::String;
      out.text = arena.copy(text.data(), text.size());
      out.aux = static_cast<std::uint32_t>(text.size());
    } else if (type == "int") {
      std::int64_t n = 0;
      if (scalar.get_int64().get(n)) return request_error("REQUEST_WRONG_TYPE", path, "expected an integer");
      out.kind = abi::Kind::Int;
      out.integer = n;
    } else if (type == "bool") {
      bool b = false;
      if (scalar.get_bool().get(b)) return request_error("REQUEST_WRONG_TYPE", path, "expected true or false");
      out.kind = abi::Kind::Bool;
      out.integer = b ? 1 : 0;
    } else {
      return request_error("REQUEST_WRONG_TYPE", path, "parameters of type " + type + " cannot be given in a request");
    }
  }
  for (std::size_t i = 0; i < seen.size(); ++i)
    if (!seen[i] && !entry_->param_types[i].ends_with("?"))
      return request_error("REQUEST_MISSING_MEMBER", "$." + param_names_[i],
                           "the request has no `" + param_names_[i] + "` (" + entry_->param_types[i] + ")");
  return std::nullopt;
}

bool PolicyRunner::run(const std::vector<abi::Value>& params, Arena& arena, DecisionReport* report,
                       abi::Value& outcome) {
  context_.clear();
  tables_->bind(context_, arena);
  context_.keys = keys_.data();
  context_.key_count = static_cast<std::uint32_t>(keys_.size());
  if (function_(&context_, &outcome, params.data()) != 0) return false;
  if (report == nullptr) return true;
  const auto& rules = entry_->rules;
  report->permitted = outcome.record->slots[0].boolean;
  report->deciding.clear();
  report->skipped.clear();
  report->obligations.clear();
  std::vector<std::uint32_t> held = context_.held;
  std::sort(held.begin(), held.end());
  for (std::uint32_t i : held) {
    const std::string& kind = rules[i].kind;
    if (kind == (report->permitted ? "permit" : "forbid")) report->deciding.push_back(rules[i].label);
    if (report->permitted && kind != "permit" && kind != "forbid")
      report->obligations.push_back({rules[i].label, kind, rules[i].path});
  }
  auto skipped = context_.skipped;
  std::sort(skipped.begin(), skipped.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [rule, error] : skipped) report->skipped.push_back({rules[rule].label, error});
  return true;
}

std::optional<Rejection> PolicyRunner::decide(std::string_view request, bool padded, DecisionReport& report,
                                              std::string* resource_out) {
  (void)padded;
  arena_.reset();
  std::vector<abi::Value> params;
  if (auto rejection = decode(request, arena_, params)) return rejection;
  abi::Value outcome;
  if (!run(params, arena_, &report, outcome))
    return Rejection{context_.error.code, context_.error.path, context_.error.message};
  if (resource_out != nullptr)
    for (std::size_t i = 0; i < params.size(); ++i) {
      const abi::RecordDesc* record = param_records_[i];
      if (record == nullptr || (record->resource_type.empty() && record->model.empty())) continue;
      *resource_out += "\"" + param_names_[i] + "\":";
      if (!record->model.empty())
        json::encode_odoo_row(*params[i].record, *resource_out);
      else
        json::encode_fhir(*params[i].record, *resource_out);
      break;
    }
  return std::nullopt;
}

std::optional<Rejection> PolicyRunner::prepare(std::string_view request) {
  prepared_arena_.reset();
  return decode(request, prepared_arena_, prepared_);
}

bool PolicyRunner::decide_prepared(DecisionReport* report) {
  scratch_.reset();
  abi::Value outcome;
  return run(prepared_, scratch_, report, outcome);
}

namespace {

void write_list(std::string& out, const std::vector<std::string>& items) {
  out += '[';
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += ',';
    json::write_string(out, items[i]);
  }
  out += ']';
}

// Audit records leave out the skipped rules' messages: a message may quote a value.
void write_report(std::string& out, const DecisionReport& report, bool messages) {
  out += report.permitted ? "\"decision\":\"permit\",\"rules\":" : "\"decision\":\"deny\",\"rules\":";
  write_list(out, report.deciding);
  out += ",\"skipped\":[";
  for (std::size_t i = 0; i < report.skipped.size(); ++i) {
    const SkippedRule& s = report.skipped[i];
    out += i ? ",{\"rule\":" : "{\"rule\":";
    json::write_string(out, s.rule);
    out += ",\"code\":";
    json::write_string(out, s.error.code);
    out += ",\"path\":";
    json::write_string(out, s.error.path);
    if (messages) {
      out += ",\"error\":";
      json::write_string(out, s.error.message);
    }
    out += '}';
  }
  out += "],\"obligations\":[";
  for (std::size_t i = 0; i < report.obligations.size(); ++i) {
    const AppliedObligation& o = report.obligations[i];
    out += i ? ",{\"rule\":" : "{\"rule\":";
    json::write_string(out, o.rule);
    out += ",\"kind\":";
    json::write_string(out, o.kind);
    out += ",\"path\":";
    json::write_string(out, o.path);
    out += '}';
  }
  out += ']';
}

}  // namespace

std::string decision_line(std::uint64_t ordinal, const DecisionReport& report, const std::string* resource) {
  std::string line = "{\"request\":" + std::to_string(ordinal) + ",";
  write_report(line, report, true);
  if (resource != nullptr && !resource->empty()) line += "," + *resource;
  line += "}\n";
  return line;
}

std::string audit_line(std::string_view decision_id, std::string_view pack_hash, std::string_view policy,
                       const DecisionReport& report) {
  std::string line = "{\"decision_id\":";
  json::write_string(line, decision_id);
  line += ",\"pack\":";
  json::write_string(line, pack_hash);
  line += ",\"policy\":";
  json::write_string(line, policy);
  line += ",";
  write_report(line, report, false);
  line += "}\n";
  return line;
}

}  // namespace suture::runtime
