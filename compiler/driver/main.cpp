// main.cpp — the `suture` command line: check (and parse, for looking at the AST).
// Exit codes: 0 clean, 1 errors found (or warnings with --deny-warnings), 2 usage or I/O.
#include <unistd.h>

#include <cstring>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "compiler/ast/printer.h"
#include "compiler/diagnostics/render.h"
#include "compiler/driver/check_run.h"
#include "compiler/driver/commands.h"
#include "compiler/parse/parser.h"
#include "compiler/schema/importers.h"

namespace {

using suture::driver::kVersion;

constexpr const char* kUsage = R"(usage: suture <command> [options]

commands:
  check PATH...        type-check specs (files, or folders searched for *.sut)
  parse FILE           print the syntax tree of one file (for debugging specs)
  explain CODE         describe a diagnostic code, e.g. `suture explain S3002`
  schema import fhir PATH... -o DIR
                       generate Suture modules from FHIR StructureDefinitions, ValueSets and
                       CodeSystems (files, folders or Bundles), e.g. your own profiles
  schema import odoo FIELDS_GET.json -o DIR
                       generate Suture modules from Odoo's fields_get output (your instance's
                       models with their custom x_ fields)
  build PATH... -o PACK
                       compile the mappings of the specs into a rule pack (.spk)
  run PACK [--mapping NAME] [--in FILE] [--out FILE] [--rejects FILE]
                       map messages (NDJSON, one JSON document, or HL7 v2) with a compiled
                       mapping: one output line per message, one rejection line per bad one
  test PATH... [--filter TEXT] [--junit FILE]
                       run the specs' `test` blocks (fixtures, expect), compiled; prints each
                       result and `N passed, N failed`
  inspect PACK         show what a pack holds (entry points, schemas, hash, sizes)
  authorize PACK [--policy NAME] --requests FILE [--out FILE] [--audit FILE] [--with-resource]
                       decide NDJSON requests with a compiled policy: permit or deny, the rules
                       that decided, skipped rules, obligations applied (and the resource);
                       --measure N times N in-process decisions per request instead
  version              print the version

build options:
  --mapping NAME, --policy NAME     build only these (repeatable; NAME or module.NAME)
  --emit ir|ir-unoptimised|llvm     print the typed IR or the LLVM IR (with or without -o)

run options:
  --format auto|ndjson|json|hl7v2   how the input is split into messages (default: detected)
  --stats                           print counts and the pack's load and compile time
  --key NAME=FILE | NAME=env:VAR    a key for hmac_sha256 / pseudonymise (also for authorize)
  --odoo row|vals                   Odoo output: every field as read() gives it (default), or
                                    the vals of a create/write (present, writable fields)

check options:
  --format human|short|json|sarif   how diagnostics are printed (default: human)
  --deny-warnings                   exit 1 when there are warnings
  --allow CODE                      do not report this warning code (repeatable)
  --stdlib DIR                      the standard library folder (default: $SUTURE_STDLIB or the built-in one)
  --color auto|always|never         colours in human output (default: auto)
)";

}  // namespace

int suture::driver::usage_error(const std::string& message) {
  std::cerr << "suture: " << message << "\n\n" << kUsage;
  return 2;
}

namespace {

using suture::driver::usage_error;

int run_check(const std::vector<std::string>& args) {
  std::vector<std::string> paths;
  suture::DiagnosticFormat format = suture::DiagnosticFormat::Human;
  bool deny_warnings = false;
  std::string color = "auto";
  std::optional<std::string> stdlib;
  std::vector<suture::DiagCode> allowed;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](const char* flag) -> std::optional<std::string> {
      if (i + 1 >= args.size()) return std::nullopt;
      (void)flag;
      return args[++i];
    };
    if (a == "--format") {
      auto v = value("--format");
      if (!v) return usage_error("--format needs a value");
      if (*v == "human")
        format = suture::DiagnosticFormat::Human;
      else if (*v == "short")
        format = suture::DiagnosticFormat::Short;
      else if (*v == "json")
        format = suture::DiagnosticFormat::Json;
      else if (*v == "sarif")
        format = suture::DiagnosticFormat::Sarif;
      else
        return usage_error("unknown format `" + *v + "` (human, short, json or sarif)");
    } else if (a == "--deny-warnings") {
      deny_warnings = true;
    } else if (a == "--allow") {
      auto v = value("--allow");
      auto code = v ? suture::code_from_name(*v) : std::nullopt;
      if (!code) return usage_error("--allow needs a diagnostic code such as S2012");
      allowed.push_back(*code);
    } else if (a == "--stdlib") {
      stdlib = value("--stdlib");
      if (!stdlib) return usage_error("--stdlib needs a folder");
    } else if (a == "--color") {
      auto v = value("--color");
      if (!v || (*v != "auto" && *v != "always" && *v != "never"))
        return usage_error("--color takes auto, always or never");
      color = *v;
    } else if (a.size() > 1 && a[0] == '-') {
      return usage_error("unknown option `" + a + "`");
    } else {
      paths.push_back(a);
    }
  }
  if (paths.empty()) return usage_error("check needs at least one file or folder");
  auto run =
      suture::driver::check_paths(paths, stdlib ? std::filesystem::path(*stdlib) : suture::driver::default_stdlib());
  for (auto code : allowed) run->diagnostics.allow(code);
  auto diagnostics = run->diagnostics.sorted();
  std::size_t errors = 0, warnings = 0;
  for (const auto& d : diagnostics) (d.severity == suture::Severity::Error ? errors : warnings)++;
  suture::RenderOptions options;
  options.tool_version = kVersion;
  options.color = color == "always" || (color == "auto" && isatty(STDERR_FILENO) && std::getenv("NO_COLOR") == nullptr);
  switch (format) {
    case suture::DiagnosticFormat::Human:
      suture::render_human(std::cerr, diagnostics, run->sources, options);
      if (run->inputs_ok) {
        if (errors + warnings == 0)
          std::cerr << "checked " << run->files << " file(s), " << run->declarations
                    << " declaration(s): no problems\n";
        else
          std::cerr << "checked " << run->files << " file(s): " << errors << " error(s), " << warnings
                    << " warning(s)\n";
      }
      break;
    case suture::DiagnosticFormat::Short: suture::render_short(std::cout, diagnostics, run->sources); break;
    case suture::DiagnosticFormat::Json:
      std::cout << suture::render_json(diagnostics, run->sources).dump(2) << "\n";
      break;
    case suture::DiagnosticFormat::Sarif:
      std::cout << suture::render_sarif(diagnostics, run->sources, options).dump(2) << "\n";
      break;
  }
  if (!run->inputs_ok) return 2;
  if (errors > 0) return 1;
  if (deny_warnings && warnings > 0) return 1;
  return 0;
}

int run_parse(const std::vector<std::string>& args) {
  if (args.size() != 1) return usage_error("parse takes one file");
  suture::SourceManager sources;
  std::string error;
  const suture::SourceFile* file = sources.load(args[0], error);
  if (file == nullptr) {
    std::cerr << "suture: " << error << "\n";
    return 2;
  }
  suture::DiagnosticSink diagnostics;
  auto tree = suture::parse::parse_file(*file, diagnostics);
  std::cout << suture::ast::print(*tree);
  suture::render_human(std::cerr, diagnostics.sorted(), sources, {});
  return diagnostics.has_errors() ? 1 : 0;
}

int run_schema(const std::vector<std::string>& args) {
  if (args.size() < 2 || args[0] != "import" || (args[1] != "fhir" && args[1] != "odoo"))
    return usage_error("usage: suture schema import fhir|odoo INPUT... -o DIR");
  std::vector<std::filesystem::path> inputs;
  std::optional<std::filesystem::path> out;
  for (std::size_t i = 2; i < args.size(); ++i) {
    if (args[i] == "-o" || args[i] == "--out") {
      if (i + 1 >= args.size()) return usage_error("-o needs a folder");
      out = args[++i];
    } else {
      inputs.emplace_back(args[i]);
    }
  }
  if (!out) return usage_error("schema import needs -o DIR");
  if (inputs.empty()) return usage_error("schema import needs at least one input");
  if (args[1] == "odoo" && inputs.size() != 1) return usage_error("schema import odoo takes one fields_get JSON file");
  auto report =
      args[1] == "fhir" ? suture::schema::import_fhir(inputs, *out) : suture::schema::import_odoo(inputs[0], *out);
  for (const auto& error : report.errors) std::cerr << "suture: " << error << "\n";
  std::cerr << "wrote " << report.written.size() << " file(s) to " << out->string() << "\n";
  if (report.errors.empty()) return 0;
  return report.written.empty() ? 2 : 1;
}

int run_explain(const std::vector<std::string>& args) {
  if (args.size() != 1) return usage_error("explain takes one code, e.g. S3002");
  auto code = suture::code_from_name(args[0]);
  if (!code) {
    std::cerr << "suture: no diagnostic code `" << args[0] << "`\n";
    return 2;
  }
  std::cout << suture::code_name(*code) << " (" << suture::severity_name(suture::default_severity(*code))
            << "): " << suture::code_title(*code) << "\nAn example and its fix: docs/diagnostics.md, section "
            << suture::code_name(*code) << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "help" || args[0] == "--help" || args[0] == "-h") {
    std::cout << kUsage;
    return args.empty() ? 2 : 0;
  }
  std::string command = args[0];
  args.erase(args.begin());
  if (command == "check") return run_check(args);
  if (command == "parse") return run_parse(args);
  if (command == "explain") return run_explain(args);
  if (command == "schema") return run_schema(args);
  if (command == "build") return suture::driver::run_build(args);
  if (command == "run") return suture::driver::run_run(args);
  if (command == "inspect") return suture::driver::run_inspect(args);
  if (command == "authorize") return suture::driver::run_authorize(args);
  if (command == "test") return suture::driver::run_test(args);
  if (command == "version" || command == "--version") {
    std::cout << "suture " << kVersion << "\n";
    return 0;
  }
  return usage_error("unknown command `" + command + "`");
}
