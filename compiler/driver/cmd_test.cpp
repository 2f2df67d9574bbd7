// cmd_test.cpp — `suture test PATH... [--filter TEXT] [--junit FILE]`: compiles the specs with
// their `test` blocks, reads each test's fixtures (FHIR or Odoo JSON, HL7 v2, by the type the
// test gives them), runs the test JIT-compiled, and prints each result, then `N passed, N
// failed`. Exit 0 all passed, 1 a test failed (or the specs do not build), 2 usage or I/O.
#include <fstream>
#include <iostream>
#include <sstream>

#include "compiler/diagnostics/render.h"
#include "compiler/driver/build_run.h"
#include "compiler/driver/check_run.h"
#include "compiler/driver/commands.h"
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

// Decodes a fixture file as the type the test gives it.
std::optional<std::string> decode_fixture(const std::string& path, const ir::Type* type, runtime::Arena& arena,
                                          abi::Value& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "cannot read the fixture " + path;
  std::stringstream text;
  text << in.rdbuf();
  std::string bytes = text.str();
  if (type == nullptr || type->kind != ir::TypeKind::Record || type->record == nullptr)
    return "fixture " + path + " must be read as a record";
  const abi::RecordDesc& record = *type->record;
  abi::Record* decoded = nullptr;
  if (!record.messages.empty()) {
    auto parsed = runtime::hl7::parse_owned(bytes);
    if (!parsed) return "fixture " + path + ": " + parsed.error().to_string();
    auto typed = runtime::hl7::decode_typed_as(parsed.value(), record, arena);
    if (!typed) return "fixture " + path + ": " + typed.error->to_string();
    decoded = typed.record;
  } else {
    runtime::json::DecodeOptions options;
    options.unknown = runtime::json::Unknown::Keep;
    auto result = record.model.empty() ? runtime::json::decode_fhir_as(bytes, record, arena, options)
                                       : runtime::json::decode_odoo(bytes, record, arena, options);
    if (!result)
      return "fixture " + path + ": " + result.error->code + " at " + result.error->path + ": " + result.error->message;
    decoded = result.record;
  }
  out.kind = abi::Kind::Record;
  out.record = decoded;
  return std::nullopt;
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
  std::vector<Outcome> outcomes;
  const ir::Module& module = *run->module;
  for (const ir::Function& f : module.functions) {
    if (!f.test || (!filter.empty() && f.name.find(filter) == std::string::npos)) continue;
    Outcome outcome{f.name, false, ""};
    auto entry = engine.entry(std::get<runtime::jit::ModuleHandle*>(loaded), f.symbol);
    runtime::Arena arena;
    std::vector<abi::Value> params(f.params.size());
    for (std::size_t i = 0; i < f.params.size() && outcome.why.empty(); ++i)
      if (auto error = decode_fixture(f.fixtures[i], f.params[i], arena, params[i])) outcome.why = *error;
    if (outcome.why.empty()) {
      runtime::ExecContext ctx;
      tables.bind(ctx, arena);
      abi::Value result;
      if (std::get<runtime::EntryPoint>(entry)(&ctx, &result, params.data()) != 0) {
        outcome.why = "rejected: " + ctx.error.code + " at " + ctx.error.path + ": " + ctx.error.message;
      } else {
        outcome.passed = true;
        for (std::size_t i = 0; i < f.expect_sources.size(); ++i) {
          const abi::Value& v = result.record->slots[i];
          if (v.kind == abi::Kind::Bool && v.boolean) continue;
          const ir::SourceLocation& at = module.sources.at(f.expect_sources[i]);
          outcome.passed = false;
          outcome.why = "expect at " + at.file + ":" + std::to_string(at.line) + " was false";
          for (std::size_t file = 0; file < run->sources.size(); ++file)
            if (run->sources.file(static_cast<FileId>(file)).path() == at.file) {
              std::string_view text = run->sources.file(static_cast<FileId>(file)).line_text(at.line);
              while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
              outcome.why += ": " + std::string(text);
            }
          break;
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
