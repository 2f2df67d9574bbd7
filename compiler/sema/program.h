// program.h — the set of files one compiler run sees: the user's inputs, and the standard
// library modules they import (found by module name under the stdlib root, loaded on demand).
// Pipeline position: the resolver's input; owns every parsed AST of the run.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "compiler/ast/ast.h"
#include "compiler/diagnostics/diagnostic.h"
#include "compiler/source/source.h"

namespace suture::sema {

struct ModuleInfo {
  std::string name;
  std::vector<const ast::File*> files;
  bool from_stdlib = false;  // loaded because something imported it, not named by the user
};

class Program {
 public:
  Program(SourceManager& sources, DiagnosticSink& diagnostics, std::filesystem::path stdlib_root);

  // Adds files and folders (searched for *.sut). Returns false, with S0001/S0002 reported,
  // when a path cannot be read or nothing was found.
  bool add_inputs(const std::vector<std::string>& paths);
  // Adds one in-memory file (tests and fuzzing).
  void add_text(const std::string& path, const std::string& text);

  // A module by name: the user's own first, then the standard library, loaded on demand.
  ModuleInfo* find_module(const std::string& name);
  // Names of every module the run could import (for "did you mean").
  std::vector<std::string> known_module_names() const;
  std::vector<ModuleInfo*> modules() const;  // in load order
  const SourceManager& sources() const { return sources_; }
  SourceManager& sources() { return sources_; }
  const std::filesystem::path& stdlib_root() const { return stdlib_root_; }

 private:
  void add_parsed(const SourceFile& file, bool from_stdlib);
  SourceManager& sources_;
  DiagnosticSink& diagnostics_;
  std::filesystem::path stdlib_root_;
  std::vector<std::unique_ptr<ast::File>> files_;
  std::map<std::string, std::unique_ptr<ModuleInfo>> modules_;
  std::vector<ModuleInfo*> order_;
  std::set<std::string> loaded_paths_;
  std::set<std::string> searched_stdlib_;
};

}  // namespace suture::sema
