// render_json.cpp — machine-readable diagnostics: Suture's JSON and SARIF 2.1.0.
#include <nlohmann/json.hpp>

#include "compiler/diagnostics/render.h"

namespace suture {
namespace {

using nlohmann::json;

json position(const SourceFile& file, std::uint32_t offset) {
  LineCol lc = file.line_col(offset);
  return {{"line", lc.line}, {"column", lc.column}, {"offset", offset}};
}

json span_json(const Span& span, const SourceManager& sources) {
  if (span.is_none()) return nullptr;
  const SourceFile& file = sources.file(span.file);
  return {{"file", file.path()}, {"start", position(file, span.begin)}, {"end", position(file, span.end)}};
}

json sarif_region(const Span& span, const SourceManager& sources) {
  const SourceFile& file = sources.file(span.file);
  LineCol start = file.line_col(span.begin);
  LineCol end = file.line_col(span.end);
  return {{"startLine", start.line}, {"startColumn", start.column}, {"endLine", end.line},
          {"endColumn", end.column}, {"charOffset", span.begin},    {"charLength", span.end - span.begin}};
}

json sarif_location(const Span& span, const SourceManager& sources, const std::string* message) {
  json location = {
      {"physicalLocation",
       {{"artifactLocation", {{"uri", sources.file(span.file).path()}}}, {"region", sarif_region(span, sources)}}}};
  if (message != nullptr && !message->empty()) location["message"] = {{"text", *message}};
  return location;
}

std::string sarif_level(Severity severity) {
  return severity == Severity::Error ? "error" : severity == Severity::Warning ? "warning" : "note";
}

}  // namespace

json render_json(const std::vector<Diagnostic>& diagnostics, const SourceManager& sources) {
  json list = json::array();
  std::size_t errors = 0, warnings = 0;
  for (const Diagnostic& d : diagnostics) {
    (d.severity == Severity::Error ? errors : warnings) += d.severity == Severity::Note ? 0 : 1;
    json labels = json::array();
    for (const Label& l : d.labels) labels.push_back({{"span", span_json(l.span, sources)}, {"message", l.message}});
    json entry = {{"code", code_name(d.code)}, {"severity", severity_name(d.severity)}, {"title", code_title(d.code)},
                  {"message", d.message},      {"span", span_json(d.span, sources)},    {"labels", labels},
                  {"notes", d.notes}};
    entry["help"] = d.help ? json(*d.help) : json(nullptr);
    list.push_back(std::move(entry));
  }
  return {{"diagnostics", list}, {"errors", errors}, {"warnings", warnings}};
}

json render_sarif(const std::vector<Diagnostic>& diagnostics, const SourceManager& sources,
                  const RenderOptions& options) {
  json rules = json::array();
  for (DiagCode code : all_codes())
    rules.push_back({{"id", code_name(code)},
                     {"shortDescription", {{"text", code_title(code)}}},
                     {"defaultConfiguration", {{"level", sarif_level(default_severity(code))}}}});
  json results = json::array();
  for (const Diagnostic& d : diagnostics) {
    std::string text = d.message;
    if (d.help) text += "\nhelp: " + *d.help;
    json result = {{"ruleId", code_name(d.code)},
                   {"ruleIndex", static_cast<int>(d.code)},
                   {"level", sarif_level(d.severity)},
                   {"message", {{"text", text}}}};
    if (!d.span.is_none()) result["locations"] = json::array({sarif_location(d.span, sources, nullptr)});
    json related = json::array();
    int id = 0;
    for (const Label& l : d.labels) {
      if (l.span.is_none()) continue;
      json location = sarif_location(l.span, sources, &l.message);
      location["id"] = id++;
      related.push_back(std::move(location));
    }
    if (!related.empty()) result["relatedLocations"] = related;
    results.push_back(std::move(result));
  }
  return {{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
          {"version", "2.1.0"},
          {"runs", json::array({{{"tool",
                                  {{"driver",
                                    {{"name", "suture"},
                                     {"version", options.tool_version},

                                     {"rules", rules}}}}},
                                 {"columnKind", "unicodeCodePoints"},
                                 {"results", results}}})}};
}

}  // namespace suture
