// diagnostic.h — diagnostics as data: a stable code, a severity, a primary span with its
// message, secondary labels, notes and a fix hint. Collected by DiagnosticSink; never thrown.
// Pipeline position: every phase reports into a sink; the driver renders it at the end.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/source/source.h"

namespace suture {

enum class Severity { Error, Warning, Note };

enum class DiagCode {
#define SUTURE_DIAG(code, severity, title) code,
#include "compiler/diagnostics/codes.def"
#undef SUTURE_DIAG
};

std::string_view code_name(DiagCode code);   // "S3002"
std::string_view code_title(DiagCode code);  // "optional value used where a value is required"
Severity default_severity(DiagCode code);
std::string_view severity_name(Severity severity);  // "error"
// Every code, in declaration order (for docs and the catalogue test).
const std::vector<DiagCode>& all_codes();
std::optional<DiagCode> code_from_name(std::string_view name);

struct Label {
  Span span;
  std::string message;
};

struct Diagnostic {
  DiagCode code{};
  Severity severity = Severity::Error;
  Span span;            // primary location (may be none for whole-run problems)
  std::string message;  // one sentence, lower case, no final period
  std::vector<Label> labels;
  std::vector<std::string> notes;
  std::optional<std::string> help;  // what to change, in words
};

// Builder returned by DiagnosticSink::report; add labels, notes and help fluently.
class DiagnosticBuilder {
 public:
  explicit DiagnosticBuilder(Diagnostic& diagnostic) : diagnostic_(diagnostic) {}
  DiagnosticBuilder& label(Span span, std::string message);
  DiagnosticBuilder& note(std::string message);
  DiagnosticBuilder& help(std::string message);

 private:
  Diagnostic& diagnostic_;
};

class DiagnosticSink {
 public:
  DiagnosticBuilder report(DiagCode code, Span span, std::string message);
  // Sorted by file, position, then code; exact duplicates removed.
  std::vector<Diagnostic> sorted() const;
  std::size_t error_count() const;
  std::size_t warning_count() const;
  bool has_errors() const { return error_count() > 0; }
  // Diagnostics raised from here on are counted for the caller (used to skip dependent work).
  std::size_t size() const { return diagnostics_.size(); }
  // Drops every diagnostic after the first `count` (used to cap cascades of syntax errors).
  void keep_first(std::size_t count) {
    if (diagnostics_.size() > count) diagnostics_.resize(count);
  }
  // Remove a code from the output (e.g. `--allow S2012`); errors cannot be silenced.
  void allow(DiagCode code) { allowed_.push_back(code); }

 private:
  std::vector<Diagnostic> diagnostics_;
  std::vector<DiagCode> allowed_;
};

}  // namespace suture
