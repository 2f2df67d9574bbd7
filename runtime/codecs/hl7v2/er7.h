// er7.h — the public API of the HL7 v2 ER7 codec: parse text into a Message tree, encode a
// tree back to ER7, and read values by HL7 path. Pipeline: bytes ─► separators (MSH-1/2) ─►
// parser (split + unescape) ─► Message ─► path accessors / writer (re-escape) ─► bytes.
// No function here throws; failures are Error values with a code and a position.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "runtime/codecs/hl7v2/er7_types.h"

namespace suture::runtime::hl7 {

/// Parses ER7 text. Segment terminators `\r`, `\n` and `\r\n` are all accepted; runs of
/// terminators (blank lines) separate segments like a single one. A leading UTF-8 BOM is kept.
/// The result views `input`: keep `input` alive as long as the Message (or use parse_owned).
Result<Message> parse(std::string_view input, const ParseOptions& options = {});
/// A temporary string would die before the Message that points into it: use parse_owned().
Result<Message> parse(std::string&& input, const ParseOptions& options = {}) = delete;
inline Result<Message> parse(const char* input, const ParseOptions& options = {}) {
  return parse(std::string_view(input), options);
}

/// Like parse(), but the Message keeps its own copy of the input.
Result<Message> parse_owned(std::string input, const ParseOptions& options = {});

enum class Escaping {
  /// Leaves parsed from the input are written exactly as they were read (their `raw` text):
  /// decode → encode reproduces the input byte for byte, terminators normalised to `\r`.
  preserve,
  /// Every leaf is re-escaped from its decoded text: the canonical form (hex escapes decoded,
  /// separators as \F\ \S\ \R\ \T\ \E\, CR/LF as \X0D\ \X0A\, formatting escapes verbatim).
  canonical,
};

/// Writes a Message as ER7 with its own separators, each segment ended by `\r`.
std::string encode(const Message& message, Escaping escaping = Escaping::preserve);

/// What a path found: nothing, an explicit null (`""`), or a value.
struct Lookup {
  enum class Kind { absent, null, value } kind = Kind::absent;
  std::string_view text;  ///< decoded; empty unless kind == value
};

/// Reads one leaf by path, HL7-style and 1-based: `SEG[n]-field[rep].component.subcomponent`,
/// e.g. `PID-5[2].1`, `PID-3.4.2`, `OBX[3]-5`, `MSH-9.2`. Omitted parts default to 1 (so `PID-5`
/// is `PID[1]-5[1].1.1`, the first component, as HAPI's Terser reads it). A malformed path is
/// an HL7_BAD_PATH error; a well-formed path to nothing is Kind::absent.
Result<Lookup> lookup(const Message& message, std::string_view path);

/// Convenience over lookup(): the decoded text; nullopt when absent or the path is malformed;
/// an empty string for an explicit null `""` (an empty leaf is absent, so "" means null).
std::optional<std::string_view> get(const Message& message, std::string_view path);

/// Normalises segment terminators the way parse() reads them: every run of `\r`/`\n` becomes
/// one `\r`, and the text ends with `\r`. encode(parse(x)) == normalize_terminators(x).
std::string normalize_terminators(std::string_view text);

}  // namespace suture::runtime::hl7
