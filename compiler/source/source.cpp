// source.cpp — line tables and code-point/byte conversions for SourceFile.
#include "compiler/source/source.h"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace suture {

Span Span::cover(const Span& a, const Span& b) {
  if (a.is_none()) return b;
  if (b.is_none() || a.file != b.file) return a;
  return {a.file, std::min(a.begin, b.begin), std::max(a.end, b.end)};
}

static bool is_continuation_byte(unsigned char c) {
  return (c & 0xC0) == 0x80;
}

SourceFile::SourceFile(FileId id, std::string path, std::string text)
    : id_(id), path_(std::move(path)), text_(std::move(text)) {
  line_starts_.push_back(0);
  bool ascii = true;
  for (std::uint32_t i = 0; i < text_.size(); ++i) {
    if (text_[i] == '\n') line_starts_.push_back(i + 1);
    if (static_cast<unsigned char>(text_[i]) >= 0x80) ascii = false;
  }
  if (!ascii) {
    for (std::uint32_t i = 0; i < text_.size(); ++i)
      if (!is_continuation_byte(static_cast<unsigned char>(text_[i]))) codepoint_bytes_.push_back(i);
  }
}

std::uint32_t SourceFile::byte_offset_of_codepoint(std::size_t index) const {
  if (codepoint_bytes_.empty()) return static_cast<std::uint32_t>(std::min(index, text_.size()));
  if (index >= codepoint_bytes_.size()) return static_cast<std::uint32_t>(text_.size());
  return codepoint_bytes_[index];
}

LineCol SourceFile::line_col(std::uint32_t offset) const {
  offset = std::min<std::uint32_t>(offset, static_cast<std::uint32_t>(text_.size()));
  auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
  auto line = static_cast<std::uint32_t>(it - line_starts_.begin());
  std::uint32_t start = line_starts_[line - 1];
  std::uint32_t column = 1;
  for (std::uint32_t i = start; i < offset; ++i)
    if (!is_continuation_byte(static_cast<unsigned char>(text_[i]))) ++column;
  return {line, column};
}

std::string_view SourceFile::line_text(std::uint32_t line) const {
  if (line == 0 || line > line_starts_.size()) return {};
  std::uint32_t start = line_starts_[line - 1];
  std::uint32_t end = line < line_starts_.size() ? line_starts_[line] : static_cast<std::uint32_t>(text_.size());
  std::string_view view(text_.data() + start, end - start);
  while (!view.empty() && (view.back() == '\n' || view.back() == '\r')) view.remove_suffix(1);
  return view;
}

const SourceFile& SourceManager::add(std::string path, std::string text) {
  auto id = static_cast<FileId>(files_.size());
  files_.push_back(std::make_unique<SourceFile>(id, std::move(path), std::move(text)));
  return *files_.back();
}

const SourceFile* SourceManager::load(const std::filesystem::path& path, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "cannot open " + path.string();
    return nullptr;
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) {
    error = "cannot read " + path.string();
    return nullptr;
  }
  return &add(path.generic_string(), buffer.str());
}

}  // namespace suture
