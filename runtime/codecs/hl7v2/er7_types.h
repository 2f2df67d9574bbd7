// er7_types.h — the data types of the HL7 v2 ER7 codec: separators, the parsed message tree,
// structured errors and the parse limits. Every other file of the codec (separators, escape,
// parser, writer, path) works on these types; er7.h is the public entry point.
//
// The tree is flat: a Message owns five arrays (segments, fields, repetitions, components,
// values) and each node names the contiguous run of its children in the next array. Parsing is
// one pass with no per-node allocation beyond the arrays' growth.
//
// INVARIANT: a Value's `raw` and `text` views point either into the buffer that was parsed or
// into storage owned by the Message; a Message parsed with parse() (not parse_owned()) must not
// outlive the input it was given.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace suture::runtime::hl7 {

/// The delimiters a message declares in MSH-1 and MSH-2.
struct Separators {
  char field = '|';
  char component = '^';
  char repetition = '~';
  char escape = '\\';
  char subcomponent = '&';
  std::optional<char> truncation;  ///< v2.7: a fifth MSH-2 character, e.g. '#'

  /// The characters that split a segment. The truncation character marks data, it does not split.
  bool is_separator(char c) const { return c == field || c == component || c == repetition || c == subcomponent; }
};

/// Error kinds. The names (error_code_name) are stable and appear in logs and dead letters.
enum class ErrorCode : std::uint8_t {
  NoMsh,           ///< HL7_NO_MSH: the text does not start with an MSH segment
  BadSeparators,   ///< HL7_BAD_SEPARATORS: MSH-1/MSH-2 missing, truncated, repeated or alphanumeric
  BadSegmentName,  ///< HL7_BAD_SEGMENT_NAME: a segment id that is not three letters/digits
  BadEscape,       ///< HL7_BAD_ESCAPE: malformed escape (strict mode: also unknown escapes)
  TooLarge,        ///< HL7_TOO_LARGE: input longer than ParseOptions::max_bytes
  TooComplex,      ///< HL7_TOO_COMPLEX: more segments or values than the limits allow
  BadPath,         ///< HL7_BAD_PATH: an accessor path that does not parse
  // Typed decoding (typed.h):
  UnknownStructure,  ///< HL7_UNKNOWN_STRUCTURE: MSH-9 names no message structure of the schema
  MissingSegment,    ///< HL7_MISSING_SEGMENT: a required segment (or group) of the structure is missing
  BadNumber,         ///< HL7_BAD_NUMBER: an NM or SI value that is not a number
};

std::string_view error_code_name(ErrorCode code);

/// Where an error is: 1-based segment ordinal (0 = before any segment), an HL7 path such as
/// `PID-5[2].1` (empty when the error concerns a whole segment or the input), and the byte
/// offset in the input.
struct Position {
  std::size_t segment = 0;
  std::string path;
  std::size_t offset = 0;
};

struct Error {
  ErrorCode code = ErrorCode::NoMsh;
  Position where;
  std::string message;

  /// "HL7_BAD_ESCAPE at segment 3 (PID-5[1].2), byte 120: …"
  std::string to_string() const;
};

/// A value or an error; never throws.
template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}
  Result(Error error) : v_(std::move(error)) {}
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() { return std::get<0>(v_); }
  const T& value() const { return std::get<0>(v_); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

/// Bounds that keep work and memory linear and capped on any input (the parser is fuzzed).
struct ParseOptions {
  std::size_t max_bytes = 16u << 20;   ///< 16 MiB: larger messages are rejected (HL7_TOO_LARGE)
  std::size_t max_segments = 100'000;  ///< HL7_TOO_COMPLEX beyond
  std::size_t max_values = 2'000'000;  ///< leaves (subcomponents) in the whole message
  /// Unknown escape sequences (`\Q\`) and malformed ones are kept verbatim unless strict, in
  /// which case they are HL7_BAD_ESCAPE. Formatting escapes (\.br\, \H\, …) are always kept.
  bool strict_escapes = false;
};

/// One leaf (a subcomponent). `raw` is the escaped wire text; `text` the decoded text, equal to
/// `raw` (same view) when there was nothing to unescape. `""` on the wire is an explicit null:
/// `null` is set and `text` is empty. An empty leaf (`raw` empty, not null) is absent.
struct Value {
  std::string_view raw;
  std::string_view text;
  bool null = false;

  bool absent() const { return raw.empty(); }
};

/// A run of children in the next array down: [first, first + count).
struct Range {
  std::uint32_t first = 0;
  std::uint32_t count = 0;
};

struct Component {
  Range values;
};
struct Repetition {
  Range components;
};
struct Field {
  Range repetitions;
};

/// A segment. fields[i] is field number i + 1, as HL7 counts; for MSH, field 1 is the field
/// separator itself and field 2 the encoding characters, both kept unsplit and unescaped.
struct Segment {
  std::string_view name;
  Range fields;
  std::size_t offset = 0;  ///< byte offset of the segment in the input
};

class Message {
 public:
  Message() = default;
  Message(Message&&) = default;
  Message& operator=(Message&&) = default;
  Message(const Message&) = delete;  // views point into decoded_: a copy would dangle
  Message& operator=(const Message&) = delete;

  const Separators& separators() const { return separators_; }
  bool has_bom() const { return bom_; }  ///< the input began with a UTF-8 byte-order mark

  std::span<const Segment> segments() const { return segments_; }
  std::span<const Field> fields(const Segment& s) const { return slice(fields_, s.fields); }
  std::span<const Repetition> repetitions(const Field& f) const { return slice(repetitions_, f.repetitions); }
  std::span<const Component> components(const Repetition& r) const { return slice(components_, r.components); }
  std::span<const Value> values(const Component& c) const { return slice(values_, c.values); }

  /// The n-th (1-based) segment with this name, or nullptr.
  const Segment* find(std::string_view name, std::size_t occurrence = 1) const;

  /// A field that holds nothing: no repetition has any non-empty leaf.
  bool absent(const Field& f) const;

 private:
  friend class Parser;
  template <typename T>
  static std::span<const T> slice(const std::vector<T>& v, Range r) {
    return std::span<const T>(v.data() + r.first, r.count);
  }

  Separators separators_;
  bool bom_ = false;
  std::vector<Segment> segments_;
  std::vector<Field> fields_;
  std::vector<Repetition> repetitions_;
  std::vector<Component> components_;
  std::vector<Value> values_;
  std::shared_ptr<const std::string> owned_input_;  ///< set by parse_owned()
  std::deque<std::string> decoded_;                 ///< storage for unescaped text; never reallocates
};

}  // namespace suture::runtime::hl7
