// program.cpp — collecting input files, parsing them, and finding modules by name.
#include "compiler/sema/program.h"

#include <algorithm>
#include <system_error>

#include "compiler/parse/parser.h"

namespace suture::sema {
namespace fs = std::filesystem;

Program::Program(SourceManager& sources, DiagnosticSink& diagnostics, fs::path stdlib_root)
    : sources_(sources), diagnostics_(diagnostics), stdlib_root_(std::move(stdlib_root)) {}

namespace {

std::string canonical_key(const fs::path& path) {
  std::error_code ec;
  fs::path canonical = fs::weakly_canonical(path, ec);
  return ec ? path.lexically_normal().string() : canonical.string();
}

std::vector<fs::path> sut_files_in(const fs::path& dir, bool recursive) {
  std::vector<fs::path> out;
  std::error_code ec;
  if (recursive) {
    for (auto it = fs::recursive_directory_iterator(dir, fs::directory_options::skip_permission_denied, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
      if (it->is_regular_file(ec) && it->path().extension() == ".sut") out.push_back(it->path());
  } else {
    for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator(); it.increment(ec))
      if (it->is_regular_file(ec) && it->path().extension() == ".sut") out.push_back(it->path());
  }
  std::sort(out.begin(), out.end());  // deterministic order whatever the file system says
  return out;
}

}  // namespace

void Program::add_parsed(const SourceFile& file, bool from_stdlib) {
  auto tree = parse::parse_file(file, diagnostics_);
  std::string name = tree->module ? tree->module->joined() : fs::path(file.path()).stem().string();
  auto& module = modules_[name];
  if (!module) {
    module = std::make_unique<ModuleInfo>();
    module->name = name;
    module->from_stdlib = from_stdlib;
    order_.push_back(module.get());
  }
  if (!from_stdlib) module->from_stdlib = false;
  module->files.push_back(tree.get());
  files_.push_back(std::move(tree));
}

void Program::add_text(const std::string& path, const std::string& text) {
  loaded_paths_.insert(path);
  add_parsed(sources_.add(path, text), false);
}

bool Program::add_inputs(const std::vector<std::string>& paths) {
  bool ok = true;
  std::vector<fs::path> files;
  for (const std::string& input : paths) {
    std::error_code ec;
    fs::path path(input);
    if (fs::is_directory(path, ec)) {
      auto found = sut_files_in(path, true);
      files.insert(files.end(), found.begin(), found.end());
    } else if (fs::exists(path, ec)) {
      files.push_back(path);
    } else {
      diagnostics_.report(DiagCode::S0001, Span::none(), "cannot read `" + input + "`: no such file or folder");
      ok = false;
    }
  }
  for (const fs::path& path : files) {
    if (!loaded_paths_.insert(canonical_key(path)).second) continue;
    std::string error;
    const SourceFile* file = sources_.load(path, error);
    if (file == nullptr) {
      diagnostics_.report(DiagCode::S0001, Span::none(), error);
      ok = false;
      continue;
    }
    add_parsed(*file, false);
  }
  if (ok && files.empty()) {
    diagnostics_.report(DiagCode::S0002, Span::none(), "no .sut files found in the given paths");
    ok = false;
  }
  return ok;
}

ModuleInfo* Program::find_module(const std::string& name) {
  if (auto it = modules_.find(name); it != modules_.end()) return it->second.get();
  if (stdlib_root_.empty() || !searched_stdlib_.insert(name).second) return nullptr;
  // fhir.r4 → <root>/fhir/r4.sut, or every .sut file directly in <root>/fhir/r4/.
  fs::path relative;
  std::string part;
  for (char c : name + ".") {
    if (c == '.') {
      relative /= part;
      part.clear();
    } else {
      part += c;
    }
  }
  std::vector<fs::path> candidates;
  std::error_code ec;
  fs::path single = stdlib_root_ / relative;
  single += ".sut";
  if (fs::is_regular_file(single, ec)) candidates.push_back(single);
  if (fs::is_directory(stdlib_root_ / relative, ec)) {
    auto found = sut_files_in(stdlib_root_ / relative, false);
    candidates.insert(candidates.end(), found.begin(), found.end());
  }
  for (const fs::path& path : candidates) {
    if (!loaded_paths_.insert(canonical_key(path)).second) continue;
    std::string error;
    if (const SourceFile* file = sources_.load(path, error)) add_parsed(*file, true);
  }
  auto it = modules_.find(name);
  return it == modules_.end() ? nullptr : it->second.get();
}

std::vector<std::string> Program::known_module_names() const {
  std::vector<std::string> names;
  for (const auto& [name, module] : modules_) names.push_back(name);
  std::error_code ec;
  if (!stdlib_root_.empty())
    for (auto it = fs::recursive_directory_iterator(stdlib_root_, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec)) {
      fs::path rel = it->path().lexically_relative(stdlib_root_);
      if (it->is_regular_file(ec) && it->path().extension() == ".sut")
        rel.replace_extension();
      else if (!it->is_directory(ec))
        continue;
      std::string dotted;
      for (const auto& part : rel) dotted += (dotted.empty() ? "" : ".") + part.string();
      names.push_back(dotted);
    }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

std::vector<ModuleInfo*> Program::modules() const {
  return order_;
}

}  // namespace suture::sema
