// check_run.h — one `suture check` run as a library call: inputs in, diagnostics out.
// Used by the CLI, the golden tests and the fuzz target, so all three check the same way.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "compiler/diagnostics/diagnostic.h"
#include "compiler/source/source.h"

namespace suture::driver {

struct CheckRun {
  SourceManager sources;
  DiagnosticSink diagnostics;
  bool inputs_ok = true;  // false: a path could not be read (exit code 2)
  std::size_t files = 0;
  std::size_t declarations = 0;
};

// The standard library folder: $SUTURE_STDLIB, else the one this build was made from.
std::filesystem::path default_stdlib();

std::unique_ptr<CheckRun> check_paths(const std::vector<std::string>& paths, const std::filesystem::path& stdlib);
// Checks one in-memory file (the fuzz target's entry).
std::unique_ptr<CheckRun> check_text(const std::string& name, const std::string& text,
                                     const std::filesystem::path& stdlib);

}  // namespace suture::driver
