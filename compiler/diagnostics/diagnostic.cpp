// diagnostic.cpp — the code catalogue and the collecting sink.
#include "compiler/diagnostics/diagnostic.h"

#include <algorithm>
#include <tuple>

namespace suture {
namespace {

struct CodeInfo {
  DiagCode code;
  std::string_view name;
  Severity severity;
  std::string_view title;
};

constexpr CodeInfo kCodes[] = {
#define SUTURE_DIAG(code, severity, title) {DiagCode::code, #code, Severity::severity, title},
#include "compiler/diagnostics/codes.def"
#undef SUTURE_DIAG
};

const CodeInfo& info(DiagCode code) {
  return kCodes[static_cast<std::size_t>(code)];
}

}  // namespace

std::string_view code_name(DiagCode code) {
  return info(code).name;
}
std::string_view code_title(DiagCode code) {
  return info(code).title;
}
Severity default_severity(DiagCode code) {
  return info(code).severity;
}

std::string_view severity_name(Severity severity) {
  switch (severity) {
    case Severity::Error: return "error";
    case Severity::Warning: return "warning";
    case Severity::Note: return "note";
  }
  return "error";
}

const std::vector<DiagCode>& all_codes() {
  static const std::vector<DiagCode> codes = [] {
    std::vector<DiagCode> out;
    for (const auto& entry : kCodes) out.push_back(entry.code);
    return out;
  }();
  return codes;
}

std::optional<DiagCode> code_from_name(std::string_view name) {
  for (const auto& entry : kCodes)
    if (entry.name == name) return entry.code;
  return std::nullopt;
}

DiagnosticBuilder& DiagnosticBuilder::label(Span span, std::string message) {
  diagnostic_.labels.push_back({span, std::move(message)});
  return *this;
}
DiagnosticBuilder& DiagnosticBuilder::note(std::string message) {
  diagnostic_.notes.push_back(std::move(message));
  return *this;
}
DiagnosticBuilder& DiagnosticBuilder::help(std::string message) {
  diagnostic_.help = std::move(message);
  return *this;
}

DiagnosticBuilder DiagnosticSink::report(DiagCode code, Span span, std::string message) {
  diagnostics_.push_back({code, default_severity(code), span, std::move(message), {}, {}, {}});
  return DiagnosticBuilder(diagnostics_.back());
}

std::vector<Diagnostic> DiagnosticSink::sorted() const {
  std::vector<Diagnostic> out;
  for (const auto& d : diagnostics_)
    if (d.severity == Severity::Error || std::find(allowed_.begin(), allowed_.end(), d.code) == allowed_.end())
      out.push_back(d);
  auto key = [](const Diagnostic& d) {
    return std::make_tuple(d.span.file, d.span.begin, static_cast<int>(d.code), d.span.end, d.message);
  };
  std::stable_sort(out.begin(), out.end(), [&](const auto& a, const auto& b) { return key(a) < key(b); });
  out.erase(std::unique(out.begin(), out.end(), [&](const auto& a, const auto& b) { return key(a) == key(b); }),
            out.end());
  return out;
}

std::size_t DiagnosticSink::error_count() const {
  return static_cast<std::size_t>(std::count_if(diagnostics_.begin(), diagnostics_.end(),
                                                [](const auto& d) { return d.severity == Severity::Error; }));
}
std::size_t DiagnosticSink::warning_count() const {
  std::size_t count = 0;
  for (const auto& d : sorted())
    if (d.severity == Severity::Warning) ++count;
  return count;
}

}  // namespace suture
