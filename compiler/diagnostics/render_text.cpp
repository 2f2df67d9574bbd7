// render_text.cpp — human (rustc-like) and short renderings of diagnostics.
#include <algorithm>
#include <map>
#include <sstream>

#include "compiler/diagnostics/render.h"

namespace suture {
namespace {

struct Palette {
  bool on;
  const char* error() const { return on ? "\x1b[1;31m" : ""; }
  const char* warning() const { return on ? "\x1b[1;33m" : ""; }
  const char* note() const { return on ? "\x1b[1;36m" : ""; }
  const char* bold() const { return on ? "\x1b[1m" : ""; }
  const char* blue() const { return on ? "\x1b[1;34m" : ""; }
  const char* reset() const { return on ? "\x1b[0m" : ""; }
  const char* severity(Severity s) const {
    return s == Severity::Error ? error() : s == Severity::Warning ? warning() : note();
  }
};

std::string location(const Span& span, const SourceManager& sources) {
  if (span.is_none()) return "";
  const SourceFile& file = sources.file(span.file);
  LineCol lc = file.line_col(span.begin);
  return file.path() + ":" + std::to_string(lc.line) + ":" + std::to_string(lc.column);
}

// Columns of the underline for `span` on its first line, in code points (1-based, inclusive).
std::pair<std::uint32_t, std::uint32_t> underline(const SourceFile& file, const Span& span) {
  LineCol start = file.line_col(span.begin);
  LineCol end = file.line_col(std::max(span.end, span.begin + 1) - 1);
  std::uint32_t last = end.column;
  if (end.line != start.line) {
    std::string_view text = file.line_text(start.line);
    std::uint32_t chars = 0;
    for (unsigned char c : text)
      if ((c & 0xC0) != 0x80) ++chars;
    last = std::max(chars, start.column);
  }
  return {start.column, std::max(last, start.column)};
}

// Tabs are shown as four spaces so carets line up; `prefix_columns` counts code points.
std::string expand_tabs(std::string_view text) {
  std::string out;
  for (char c : text) out += c == '\t' ? std::string("    ") : std::string(1, c);
  return out;
}

std::uint32_t display_column(std::string_view line, std::uint32_t column) {
  std::uint32_t display = 0, seen = 0;
  for (std::size_t i = 0; i < line.size() && seen + 1 < column; ++i) {
    auto c = static_cast<unsigned char>(line[i]);
    if ((c & 0xC0) == 0x80) continue;
    ++seen;
    display += c == '\t' ? 4 : 1;
  }
  return display + (column > seen + 1 ? column - seen - 1 : 0);
}

struct Mark {
  std::uint32_t first, last;  // display columns, 0-based inclusive
  bool primary;
  std::string message;
};

}  // namespace

void render_human(std::ostream& out, const std::vector<Diagnostic>& diagnostics, const SourceManager& sources,
                  const RenderOptions& options) {
  Palette p{options.color};
  for (const Diagnostic& d : diagnostics) {
    out << p.severity(d.severity) << severity_name(d.severity) << "[" << code_name(d.code) << "]" << p.reset()
        << p.bold() << ": " << d.message << p.reset() << "\n";
    if (!d.span.is_none()) {
      const SourceFile& file = sources.file(d.span.file);
      // Group the primary span and the labels in the same file by line.
      std::map<std::uint32_t, std::vector<Mark>> lines;
      auto add = [&](const Span& span, bool primary, const std::string& message) {
        if (span.is_none() || span.file != d.span.file) return;
        std::uint32_t line = file.line_col(span.begin).line;
        auto [first, last] = underline(file, span);
        std::string_view text = file.line_text(line);
        lines[line].push_back({display_column(text, first), display_column(text, last), primary, message});
      };
      std::string primary_message;
      for (const Label& l : d.labels)
        if (l.span.begin == d.span.begin && l.span.end == d.span.end && l.span.file == d.span.file)
          primary_message = l.message;
      add(d.span, true, primary_message);
      for (const Label& l : d.labels)
        if (!(l.span.begin == d.span.begin && l.span.end == d.span.end && l.span.file == d.span.file))
          add(l.span, false, l.message);
      std::size_t gutter = std::to_string(lines.rbegin()->first).size();
      std::string pad(gutter, ' ');
      out << pad << p.blue() << "--> " << p.reset() << location(d.span, sources) << "\n";
      out << pad << p.blue() << " |" << p.reset() << "\n";
      std::uint32_t previous = 0;
      for (auto& [line, marks] : lines) {
        if (previous != 0 && line > previous + 1) out << p.blue() << "..." << p.reset() << "\n";
        previous = line;
        std::string number = std::to_string(line);
        out << p.blue() << std::string(gutter - number.size(), ' ') << number << " | " << p.reset()
            << expand_tabs(file.line_text(line)) << "\n";
        std::sort(marks.begin(), marks.end(), [](const Mark& a, const Mark& b) { return a.first < b.first; });
        for (std::size_t i = 0; i < marks.size(); ++i) {
          // One underline row per mark keeps overlapping labels readable.
          const Mark& m = marks[i];
          std::string row(m.first, ' ');
          row += std::string(m.last - m.first + 1, m.primary ? '^' : '-');
          out << pad << p.blue() << " | " << p.reset() << (m.primary ? p.severity(d.severity) : p.blue()) << row;
          if (!m.message.empty()) out << " " << m.message;
          out << p.reset() << "\n";
        }
      }
      // Labels in other files: their own location line.
      for (const Label& l : d.labels)
        if (!l.span.is_none() && l.span.file != d.span.file)
          out << pad << p.blue() << " = " << p.reset() << p.bold() << "note" << p.reset() << ": " << l.message << " ("
              << location(l.span, sources) << ")\n";
    }
    for (const std::string& note : d.notes)
      out << "   " << p.blue() << "= " << p.reset() << p.bold() << "note" << p.reset() << ": " << note << "\n";
    if (d.help)
      out << "   " << p.blue() << "= " << p.reset() << p.bold() << "help" << p.reset() << ": " << *d.help << "\n";
    out << "\n";
  }
}

void render_short(std::ostream& out, const std::vector<Diagnostic>& diagnostics, const SourceManager& sources) {
  for (const Diagnostic& d : diagnostics) {
    std::string where = location(d.span, sources);
    out << (where.empty() ? "suture" : where) << ": " << severity_name(d.severity) << "[" << code_name(d.code)
        << "]: " << d.message << "\n";
  }
}

}  // namespace suture
