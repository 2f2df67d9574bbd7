// separators.cpp — the first step of parsing: read the delimiters a message declares in MSH-1
// (field separator) and MSH-2 (component, repetition, escape, subcomponent and, from v2.7, the
// truncation character), and reject sets the parser could not split unambiguously.
#include <cctype>

#include "runtime/codecs/hl7v2/detail.h"

namespace suture::runtime::hl7::detail {
namespace {

bool usable(char c) {
  auto u = static_cast<unsigned char>(c);
  return u >= 0x20 && u != 0x7F && !std::isalnum(u) && c != ' ';
}

Error bad(std::size_t offset, std::string message, std::string path) {
  return Error{ErrorCode::BadSeparators, Position{1, std::move(path), offset}, std::move(message)};
}

}  // namespace

std::optional<Error> read_separators(std::string_view text, std::size_t msh, Separators& out, std::string_view& msh2) {
  std::size_t pos = msh + 3;
  if (pos >= text.size() || text[pos] == '\r' || text[pos] == '\n')
    return bad(pos, "MSH is truncated: no field separator (MSH-1)", "MSH-1");
  char field = text[pos];
  if (!usable(field)) return bad(pos, "MSH-1 must be a printable, non-alphanumeric character", "MSH-1");

  std::size_t start = pos + 1, end = start;
  while (end < text.size() && text[end] != field && text[end] != '\r' && text[end] != '\n') ++end;
  msh2 = text.substr(start, end - start);
  if (msh2.size() < 4)
    return bad(start,
               "MSH-2 is truncated: it needs component, repetition, escape and subcomponent "
               "characters (e.g. ^~\\&)",
               "MSH-2");
  if (msh2.size() > 5) return bad(start, "MSH-2 has more than 5 encoding characters", "MSH-2");
  for (std::size_t i = 0; i < msh2.size(); ++i) {
    if (!usable(msh2[i]))
      return bad(start + i, "MSH-2 encoding characters must be printable and non-alphanumeric", "MSH-2");
    if (msh2[i] == field) return bad(start + i, "an MSH-2 encoding character repeats the field separator", "MSH-2");
    for (std::size_t j = 0; j < i; ++j)
      if (msh2[j] == msh2[i]) return bad(start + i, "MSH-2 repeats an encoding character", "MSH-2");
  }
  out.field = field;
  out.component = msh2[0];
  out.repetition = msh2[1];
  out.escape = msh2[2];
  out.subcomponent = msh2[3];
  out.truncation = msh2.size() == 5 ? std::optional<char>(msh2[4]) : std::nullopt;
  return std::nullopt;
}

}  // namespace suture::runtime::hl7::detail
