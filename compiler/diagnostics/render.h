// render.h — turns collected diagnostics into text for people (rustc style, or one line each)
// and for machines (JSON, SARIF 2.1.0). Pipeline position: the driver's last step.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "compiler/diagnostics/diagnostic.h"
#include "compiler/source/source.h"

namespace suture {

enum class DiagnosticFormat { Human, Short, Json, Sarif };

struct RenderOptions {
  bool color = false;
  std::string tool_version = "0.0.0";
};

// error[S3002]: message / --> file:line:col / the source line with carets / notes and help.
void render_human(std::ostream& out, const std::vector<Diagnostic>& diagnostics, const SourceManager& sources,
                  const RenderOptions& options);
// file:line:col: error[S3002]: message — one line each, the form golden tests compare.
void render_short(std::ostream& out, const std::vector<Diagnostic>& diagnostics, const SourceManager& sources);
nlohmann::json render_json(const std::vector<Diagnostic>& diagnostics, const SourceManager& sources);
nlohmann::json render_sarif(const std::vector<Diagnostic>& diagnostics, const SourceManager& sources,
                            const RenderOptions& options);

}  // namespace suture
