// source.h — source files, byte spans and line/column lookup.
// Pipeline position: shared by every front-end phase; owns the text every span points into.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace suture {

using FileId = std::uint32_t;
inline constexpr FileId kNoFile = UINT32_MAX;

// A half-open byte range [begin, end) in one file. Compiler-made nodes carry Span::none().
struct Span {
  FileId file = kNoFile;
  std::uint32_t begin = 0;
  std::uint32_t end = 0;

  static constexpr Span none() { return {}; }
  bool is_none() const { return file == kNoFile; }
  // The smallest span covering both (either may be none).
  static Span cover(const Span& a, const Span& b);
};

struct LineCol {
  std::uint32_t line = 0;    // 1-based
  std::uint32_t column = 0;  // 1-based, in Unicode code points
};

class SourceFile {
 public:
  SourceFile(FileId id, std::string path, std::string text);

  FileId id() const { return id_; }
  const std::string& path() const { return path_; }
  const std::string& text() const { return text_; }
  LineCol line_col(std::uint32_t byte_offset) const;
  std::string_view line_text(std::uint32_t line) const;  // without its newline
  std::uint32_t line_count() const { return static_cast<std::uint32_t>(line_starts_.size()); }
  // ANTLR counts code points; spans count bytes. Maps a code-point index to a byte offset.
  std::uint32_t byte_offset_of_codepoint(std::size_t codepoint_index) const;

 private:
  FileId id_;
  std::string path_;
  std::string text_;
  std::vector<std::uint32_t> line_starts_;
  std::vector<std::uint32_t> codepoint_bytes_;  // empty when the text is pure ASCII
};

// Owns every file read during one compiler run; FileIds index into it.
class SourceManager {
 public:
  const SourceFile& add(std::string path, std::string text);
  // Reads a file from disk; returns nullptr and fills `error` when it cannot.
  const SourceFile* load(const std::filesystem::path& path, std::string& error);
  const SourceFile& file(FileId id) const { return *files_.at(id); }
  std::size_t size() const { return files_.size(); }

 private:
  std::vector<std::unique_ptr<SourceFile>> files_;
};

}  // namespace suture
