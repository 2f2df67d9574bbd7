// cmd_test.cpp — `suture test PATH... [--filter TEXT] [--junit FILE]`: compiles the specs with
// their `test` blocks, reads each test's fixtures (FHIR or Odoo JSON, HL7 v2, by the type the
// test gives them), runs the test JIT-compiled, and prints each result, then `N passed, N
// failed`. Exit 0 all passed, 1 a test failed (or the specs do not build), 2 usage or I/O.
#include <algorithm>
#include <fstream>
#include <iostream>
#include <sstream>

#include "compiler/diagnostics/render.h"
#include "compiler/driver/build_run.h"
#include "compiler/driver/check_run.h"
#include "compiler/driver/commands.h"
#include "compiler/driver/json_diff.h"
#include "runtime/codecs/hl7v2/er7.h"
#include "runtime/codecs/hl7v2/typed.h"
#include "runtime/codecs/json/json.h"
#include "runtime/codecs/json/writer.h"
#include "runtime/exec/engine.h"

namespace suture::driver {
namespace {

struct Outcome {
  std::string name;
  bool passed = false;
  std::string why;  // failures: which expect, or what went wrong
};

// Why a test stopped before its expects: a fixture that cannot be read as its type, or a
// rejection while running. `code` and `path` are what `rejects(…)` compares.
struct Stopped {
  std::string code, path, message;
};

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Decodes a fixture file as the type the test gives it.
std::optional<Stopped> decode_fixture(const std::string& path, const ir::Type* type, runtime::Arena& arena,
                                      abi::Value& out, std::vector<std::string>& keep) {
  auto bytes = read_file(path);
  if (!bytes) return Stopped{"FIXTURE_UNREADABLE", "", "cannot read the fixture " + path};
  keep.push_back(std::move(*bytes));  // decoded strings may point into the text
  const std::string& text = keep.back();
  if (type == nullptr || type->kind != ir::TypeKind::Record || type->record == nullptr)
    return Stopped{"FIXTURE_NOT_A_RECORD", "", "fixture " + path + " must be read as a record"};
  const abi::RecordDesc& record = *type->record;
  abi::Record* decoded = nullptr;
  if (!record.messages.empty()) {
    auto parsed = runtime::hl7::parse_owned(text);
    if (!parsed)
      return Stopped{std::string(runtime::hl7::error_code_name(parsed.error().code)), parsed.error().where.path,
                     "fixture " + path + ": " + parsed.error().to_string()};
    auto typed = runtime::hl7::decode_typed_as(parsed.value(), record, arena);
    if (!typed)
      return Stopped{std::string(runtime::hl7::error_code_name(typed.error->code)), typed.error->where.path,
                     "fixture " + path + ": " + typed.error->to_string()};
    decoded = typed.record;
  } else {
    runtime::json::DecodeOptions options;
    options.unknown = runtime::json::Unknown::Keep;
    auto result = record.model.empty() ? runtime::json::decode_fhir_as(text, record, arena, options)
                                       : runtime::json::decode_odoo(text, record, arena, options);
    if (!result)
      return Stopped{
          result.error->code, result.error->path,
          "fixture " + path + ": " + result.error->code + " at " + result.error->path + ": " + result.error->message};
    decoded = result.record;
  }
  out.kind = abi::Kind::Record;
  out.record = decoded;
  return std::nullopt;
}

// The record as JSON (FHIR or Odoo) or ER7 lines, for comparing with an expected file.
nlohmann::json record_json(const abi::Record& record, bool& odoo, bool& er7, std::string& text) {
  odoo = !record.desc->model.empty();
  er7 = !record.desc->messages.empty() || !record.desc->segment.empty();
  text.clear();
  if (er7) {
    text = runtime::hl7::encode_typed(record);
    return nullptr;
  }
  if (odoo)
    runtime::json::encode_odoo_row(record, text);
  else
    runtime::json::encode_fhir(record, text);
  return nlohmann::json::parse(text, nullptr, false);
}

// Compares an expect's record with its file; empty when they agree, else the differences.
std::string compare_whole(const abi::Record& actual, const std::string& file) {
  auto expected_text = read_file(file);
  if (!expected_text) return "cannot read the expected output " + file;
  bool odoo = false, er7 = false;
  std::string actual_text;
  nlohmann::json actual_json = record_json(actual, odoo, er7, actual_text);
  if (er7) {
    auto lines = [](std::string t) {
      std::vector<std::string> out;
      for (char& c : t)
        if (c == '\n') c = '\r';
      std::size_t from = 0;
      while (from < t.size()) {
        std::size_t at = t.find('\r', from);
        std::string line = t.substr(from, at == std::string::npos ? std::string::npos : at - from);
        if (!line.empty()) out.push_back(line);
        if (at == std::string::npos) break;
        from = at + 1;
      }
      return out;
    };
    auto e = lines(*expected_text), a = lines(actual_text);
    std::string why;
    for (std::size_t i = 0; i < std::max(e.size(), a.size()); ++i)
      if (i >= e.size() || i >= a.size() || e[i] != a[i])
        why += "\n        segment " + std::to_string(i + 1) + ": expected " + (i < e.size() ? e[i] : "nothing") +
               ", got " + (i < a.size() ? a[i] : "nothing");
    return why;
  }
  nlohmann::json expected_json = nlohmann::json::parse(*expected_text, nullptr, false);
  if (expected_json.is_discarded()) return "the expected output " + file + " is not valid JSON";
  JsonDiffOptions options;
  options.false_is_absent = odoo;
  std::string why;
  for (const std::string& line : json_diff(expected_json, actual_json, options)) why += "\n        " + line;
  return why;
}

// The source line of an expect, trimmed: how failures name it.
std::string expect_text(const BuildRun& run, const ir::SourceLocation& at) {
  std::string out = at.file + ":" + std::to_string(at.line);
  for (std::size_t file = 0; file < run.sources.size(); ++file)
    if (run.sources.file(static_cast<FileId>(file)).path() == at.file) {
      std::string_view text = run.sources.file(static_cast<FileId>(file)).line_text(at.line);
      while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
      out += ": " + std::string(text);
    }
  return out;
}

// A test stopped early passes when one of its `rejects` expects names that rejection.
void judge_stop(const ir::Function& f, const Stopped& stop, Outcome& outcome) {
  for (const auto& r : f.rejection_expects)
    if (r.code == stop.code && (r.path.empty() || r.path == stop.path)) {
      outcome.passed = true;
      return;
    }
  outcome.why = "rejected: " + stop.code + (stop.path.empty() ? "" : " at " + stop.path) + ": " + stop.message;
  if (!f.rejection_expects.empty()) {
    const auto& r = f.rejection_expects.front();
    outcome.why += "\n      expected the rejection " + r.code + (r.path.empty() ? "" : " at " + r.path);
  }
}

void write_junit(const std::string& path, const std::vector<Outcome>& outcomes) {
  std::size_t failures = 0;
  for (const auto& o : outcomes) failures += o.passed ? 0 : 1;
  std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite name=\"suture\" tests=\"" +
                    std::to_string(outcomes.size()) + "\" failures=\"" + std::to_string(failures) + "\">\n";
  auto escape = [](const std::string& s) {
    std::string out;
    for (char c : s) {
      if (c == '&')
        out += "&amp;";
      else if (c == '<')
        out += "&lt;";
      else if (c == '>')
        out += "&gt;";
      else if (c == '"')
        out += "&quot;";
      else
        out += c;
    }
    return out;
  };
  for (const auto& o : outcomes) {
    xml += "  <testcase name=\"" + escape(o.name) + "\">";
    if (!o.passed) xml += "<failure message=\"" + escape(o.why) + "\"/>";
    xml += "</testcase>\n";
  }
  xml += "</testsuite>\n";
  std::ofstream(path) << xml;
}

}  // namespace

int run_test(const std::vector<std::string>& args) {
  std::vector<std::string> paths;
  std::string filter, junit;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--filter" || a == "--junit") {
      if (i + 1 >= args.size()) return usage_error(a + " needs a value");
      (a == "--filter" ? filter : junit) = args[++i];
    } else if (!a.empty() && a[0] == '-') {
      return usage_error("unknown option `" + a + "`");
    } else {
      paths.push_back(a);
    }
  }
  if (paths.empty()) return usage_error("test needs at least one file or folder");
  BuildOptions options;
  options.tests = true;
  auto run = build_paths(paths, default_stdlib(), options);
  RenderOptions render;
  render.tool_version = kVersion;
  render_human(std::cerr, run->diagnostics.sorted(), run->sources, render);
  if (!run->inputs_ok) return 2;
  if (!run->module) {
    std::cerr << "the specs do not build: " << run->diagnostics.error_count() << " error(s)\n";
    return 1;
  }
  auto made = runtime::Engine::create();
  if (auto* error = std::get_if<std::string>(&made)) {
    std::cerr << "suture: cannot start the JIT: " << *error << "\n";
    return 2;
  }
  auto& engine = *std::get<std::unique_ptr<runtime::Engine>>(made);
  auto loaded = engine.load_ir(run->llvm_ir, "tests");
  if (auto* error = std::get_if<std::string>(&loaded)) {
    std::cerr << "suture: internal error: " << *error << "\n";
    return 2;
  }
  runtime::SchemaTables tables(run->module->schemas);
  // Policies called from tests are reported as Decisions, by their rules' labels.
  const std::vector<runtime::PolicyRules> policy_rules = driver::policy_rules(*run->module);
  std::vector<Outcome> outcomes;
  const ir::Module& module = *run->module;
  for (const ir::Function& f : module.functions) {
    if (!f.test || (!filter.empty() && f.name.find(filter) == std::string::npos)) continue;
    Outcome outcome{f.name, false, ""};
    auto entry = engine.entry(std::get<runtime::jit::ModuleHandle*>(loaded), f.symbol);
    runtime::Arena arena;
    std::vector<std::string> fixture_texts;
    fixture_texts.reserve(f.params.size());
    std::vector<abi::Value> params(f.params.size());
    std::optional<Stopped> stopped;
    for (std::size_t i = 0; i < f.params.size() && !stopped; ++i)
      stopped = decode_fixture(f.fixtures[i], f.params[i], arena, params[i], fixture_texts);
    runtime::ExecContext ctx;
    abi::Value result;
    if (!stopped) {
      tables.bind(ctx, arena);
      ctx.policy_rules = &policy_rules;
      if (std::get<runtime::EntryPoint>(entry)(&ctx, &result, params.data()) != 0)
        stopped = Stopped{ctx.error.code, ctx.error.path, ctx.error.message};
    }
    if (stopped) {
      judge_stop(f, *stopped, outcome);
    } else {
      outcome.passed = true;
      for (std::size_t i = 0; i < f.expect_sources.size() && outcome.passed; ++i) {
        const abi::Value& v = result.record->slots[i];
        const ir::SourceLocation& at = module.sources.at(f.expect_sources[i]);
        auto whole =
            std::find_if(f.whole_expects.begin(), f.whole_expects.end(), [&](const auto& w) { return w.expect == i; });
        auto rejection = std::find_if(f.rejection_expects.begin(), f.rejection_expects.end(),
                                      [&](const auto& r) { return r.expect == i; });
        if (whole != f.whole_expects.end()) {
          std::string why = v.kind == abi::Kind::Record && v.record != nullptr
                                ? compare_whole(*v.record, whole->file)
                                : std::string("\n        the output is absent");
          if (why.empty()) continue;
          outcome.passed = false;
          outcome.why =
              "expect at " + expect_text(*run, at) + "\n      the output differs from " + whole->file + ":" + why;
        } else if (rejection != f.rejection_expects.end()) {
          outcome.passed = false;
          outcome.why = "expect at " + expect_text(*run, at) + "\n      expected the rejection " + rejection->code +
                        (rejection->path.empty() ? "" : " at " + rejection->path) + ", but it was not rejected";
        } else if (!(v.kind == abi::Kind::Bool && v.boolean)) {
          outcome.passed = false;
          std::string text = expect_text(*run, at);
          std::size_t colon = text.find(": ");
          outcome.why =
              "expect at " + (colon == std::string::npos ? text + " was false"
                                                         : text.substr(0, colon) + " was false" + text.substr(colon));
        }
      }
    }
    std::cout << (outcome.passed ? "PASS  " : "FAIL  ") << f.name << (outcome.passed ? "" : "\n      " + outcome.why)
              << "\n";
    outcomes.push_back(std::move(outcome));
  }
  std::size_t passed = 0;
  for (const auto& o : outcomes) passed += o.passed ? 1 : 0;
  std::cout << passed << " passed, " << outcomes.size() - passed << " failed\n";
  if (!junit.empty()) write_junit(junit, outcomes);
  return passed == outcomes.size() ? 0 : 1;
}

}  // namespace suture::driver
